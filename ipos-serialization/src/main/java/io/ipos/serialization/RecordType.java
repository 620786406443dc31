package io.ipos.serialization;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.List;

/** A record: its form is the list of its components in declaration order. */
final class RecordType extends RegisteredType {
    private final MethodHandle[] accessors;
    private final MethodHandle constructor;

    private RecordType(Class<?> type, String wireName, MethodHandle[] accessors, MethodHandle constructor) {
        super(type, wireName);
        this.accessors = accessors;
        this.constructor = constructor;
    }

    static RecordType of(Class<?> type, String wireName) {
        RecordComponent[] components = type.getRecordComponents();
        MethodHandle[] accessors = new MethodHandle[components.length];
        Class<?>[] parameterTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Method accessor = components[i].getAccessor();
            accessors[i] = Access.unreflect(type, accessor)
                    .asType(MethodType.methodType(Object.class, Object.class));
            parameterTypes[i] = components[i].getType();
        }
        Constructor<?> canonical;
        try {
            canonical = type.getDeclaredConstructor(parameterTypes);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("cannot register " + type.getName()
                    + ": its canonical constructor was not found", e);
        }
        MethodHandle constructor = Access.unreflectConstructor(type, canonical)
                .asSpreader(Object[].class, components.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        return new RecordType(type, wireName, accessors, constructor);
    }

    @Override
    Object serialize(Object instance) {
        Object[] values = new Object[accessors.length];
        try {
            for (int i = 0; i < values.length; i++) {
                values[i] = (Object) accessors[i].invokeExact(instance);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("a component accessor of " + type.getName() + " threw " + t, t);
        }
        return new FrozenList<>(values);
    }

    @Override
    Object create(Object form) {
        if (!(form instanceof List)) {
            throw new IllegalArgumentException("the form of record " + type.getName()
                    + " must be a list of its components, not " + (form == null ? "null" : form.getClass().getName()));
        }
        List<?> components = (List<?>) form;
        if (components.size() != accessors.length) {
            throw new IllegalArgumentException("record " + type.getName() + " has " + accessors.length
                    + " components but the form has " + components.size());
        }
        try {
            return checkCreated((Object) constructor.invokeExact(components.toArray()), "the canonical constructor");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("the canonical constructor of " + type.getName() + " threw " + t, t);
        }
    }
}
