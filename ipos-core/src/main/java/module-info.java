/**
 * ipos core: {@link io.ipos.IPOS} and the shared collections it replicates between a parent JVM
 * and its child processes. Only {@code io.ipos} is exported; the replication machinery sits
 * package-private beside it.
 */
module io.ipos {
    requires transitive io.ipos.serialization;
    // IPOS.javaProcess reads this JVM's options (RuntimeMXBean) to pass them on to a child
    requires java.management;
    exports io.ipos;
}
