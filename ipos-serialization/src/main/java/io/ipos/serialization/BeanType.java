package io.ipos.serialization;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A plain Java bean: a no-arg constructor and getter/setter pairs, no hooks. Its form is a map
 * from property name to property value, in property-name order; the receiver calls the no-arg
 * constructor and then the setter of each property in the form.
 *
 * <p>Which properties a bean has is decided by Jackson databind, so its annotations
 * ({@code @JsonProperty}, {@code @JsonIgnore}) apply. Databind costs 200 to 300 ms to load, so it is
 * touched only when a bean is first mapped (in {@link BeanMapping}, built on first use); recognising
 * a bean at registration uses plain reflection, and a process that never maps a bean never loads
 * a databind class.
 */
final class BeanType extends RegisteredType {
    private volatile BeanMapping mapping;

    BeanType(Class<?> type, String wireName) {
        super(type, wireName);
    }

    /**
     * Whether {@code type} looks like a bean: a no-arg constructor and at least one public
     * {@code getX()}/{@code isX()} with a matching public {@code setX(x)}, by the JavaBeans naming
     * convention.
     */
    static boolean looksLikeBean(Class<?> type) {
        if (type.isRecord() || type.isEnum() || Modifier.isAbstract(type.getModifiers())
                || type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
            return false;
        }
        Constructor<?> noArg;
        try {
            noArg = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            return false;
        }
        if (noArg == null) {
            return false;
        }
        for (Method getter : type.getMethods()) {
            String property = propertyOfGetter(getter);
            if (property == null) {
                continue;
            }
            try {
                Method setter = type.getMethod("set" + property, getter.getReturnType());
                if (!Modifier.isStatic(setter.getModifiers())) {
                    return true;
                }
            } catch (NoSuchMethodException e) {
                // a read-only property; look further
            }
        }
        return false;
    }

    /** The capitalised property name of a JavaBeans getter, or null if {@code m} is not one. */
    private static String propertyOfGetter(Method m) {
        if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
            return null;
        }
        String name = m.getName();
        if (name.startsWith("get") && name.length() > 3 && m.getReturnType() != void.class) {
            return name.substring(3);
        }
        if (name.startsWith("is") && name.length() > 2 && m.getReturnType() == boolean.class) {
            return name.substring(2);
        }
        return null;
    }

    @Override
    Object serialize(Object instance) {
        return mapping().serialize(instance);
    }

    @Override
    Object create(Object form) {
        return checkCreated(mapping().create(form), "the no-arg constructor and setters");
    }

    private BeanMapping mapping() {
        BeanMapping m = mapping;
        if (m == null) {
            m = BeanMapping.of(type);
            mapping = m;
        }
        return m;
    }
}
