/**
 * Runnable demos of ipos, each a parent program plus the child program it starts. The demos run on
 * the class path ({@code mvn -q -DskipTests package exec:exec}); this descriptor lets them run on
 * the module path too.
 */
module io.ipos.examples {
    requires io.ipos;

    exports io.ipos.examples;
}
