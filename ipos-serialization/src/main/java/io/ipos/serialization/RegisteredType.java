package io.ipos.serialization;

/**
 * A class in a {@link ClassRegistry}: how its instances become a serialized form and back, and
 * the name it travels under (its class name, or the alias it was registered with).
 *
 * <p>The form is any shareable value; the codec writes it as {@code [30, wireName, form]}.
 * {@link #create(Object)} throws a {@link RuntimeException} when the form does not fit or the hook
 * fails; the codec then keeps the value as an {@link UnresolvedValue}.
 */
abstract class RegisteredType {
    final Class<?> type;
    final String wireName;

    RegisteredType(Class<?> type, String wireName) {
        this.type = type;
        this.wireName = wireName;
    }

    /** Returns the serialized form of {@code instance}, an instance of {@link #type}. */
    abstract Object serialize(Object instance);

    /** Rebuilds an instance from its serialized form. */
    abstract Object create(Object form);

    /** Checks what a hook returned; a hook that returns null or another class has failed. */
    final Object checkCreated(Object created, String hook) {
        if (!type.isInstance(created)) {
            throw new IllegalStateException(hook + " of " + type.getName() + " returned "
                    + (created == null ? "null" : "a " + created.getClass().getName()));
        }
        return created;
    }
}
