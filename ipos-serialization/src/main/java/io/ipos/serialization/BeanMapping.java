package io.ipos.serialization;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The properties of one bean class, as Jackson databind sees them, with method handles to their
 * getters and setters. The only class of ipos that touches databind; built on a bean's first use.
 *
 * <p>Only properties with both a getter and a setter are part of the form. Values travel as they
 * are (a {@code long} property as a {@code Long}, a {@code UUID} as a UUID), so a property must hold
 * a shareable value. On the receiving side a value that is not already of the setter's type is
 * adapted only to JDK types: a collection or map is copied into the JDK class the setter takes (an
 * {@code ArrayList} parameter given the unmodifiable list that arrived, say), anything else is
 * converted by Jackson when the setter's type and all its type arguments are JDK types ({@code int[]}
 * from a list of integers). No other class is ever instantiated, so the registry stays an allow-list.
 */
final class BeanMapping {
    /** The mapper, created with the first mapping; sorting makes the form's order stable. */
    private static final class Mapper {
        static final ObjectMapper INSTANCE = JsonMapper.builder()
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .build();
    }

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    private static final MethodType SETTER = MethodType.methodType(void.class, Object.class, Object.class);

    private final Class<?> type;
    private final MethodHandle constructor;
    private final Property[] properties;
    private final Map<String, Property> byName = new HashMap<>();

    private record Property(String name, MethodHandle getter, MethodHandle setter, Class<?> boxedType,
                            boolean primitive, JavaType javaType) { }

    private BeanMapping(Class<?> type, MethodHandle constructor, Property[] properties) {
        this.type = type;
        this.constructor = constructor;
        this.properties = properties;
        for (Property p : properties) {
            byName.put(p.name, p);
        }
    }

    static BeanMapping of(Class<?> type) {
        ObjectMapper mapper = Mapper.INSTANCE;
        BeanDescription description = mapper.getSerializationConfig().introspect(mapper.constructType(type));
        List<Property> properties = new ArrayList<>();
        for (BeanPropertyDefinition p : description.findProperties()) {
            AnnotatedMethod getter = p.getGetter();
            AnnotatedMethod setter = p.getSetter();
            if (getter == null || setter == null || setter.getParameterCount() != 1) {
                continue;
            }
            Class<?> raw = setter.getRawParameterType(0);
            properties.add(new Property(p.getName(),
                    Access.unreflect(type, getter.getAnnotated()).asType(GETTER),
                    Access.unreflect(type, setter.getAnnotated()).asType(SETTER),
                    MethodType.methodType(raw).wrap().returnType(), raw.isPrimitive(), setter.getParameterType(0)));
        }
        Constructor<?> noArg;
        try {
            noArg = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("bean " + type.getName() + " has no no-arg constructor", e);
        }
        MethodHandle constructor = Access.unreflectConstructor(type, noArg)
                .asType(MethodType.methodType(Object.class));
        return new BeanMapping(type, constructor, properties.toArray(new Property[0]));
    }

    /** Returns the form: property name to value, in name order. */
    Object serialize(Object bean) {
        LinkedHashMap<Object, Object> form = new LinkedHashMap<>();
        for (Property p : properties) {
            try {
                form.put(p.name, (Object) p.getter.invokeExact(bean));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("the getter of " + p.name + " threw " + t, t);
            }
        }
        return new FrozenMap<>(form);
    }

    /** Builds a bean from a form; throws if the form names a property the bean lacks, or a value does not fit. */
    Object create(Object form) {
        if (!(form instanceof Map)) {
            throw new IllegalArgumentException("the form of bean " + type.getName()
                    + " must be a map of its properties, not " + (form == null ? "null" : form.getClass().getName()));
        }
        Object bean;
        try {
            bean = (Object) constructor.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("the no-arg constructor of " + type.getName() + " threw " + t, t);
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) form).entrySet()) {
            Property p = byName.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("bean " + type.getName() + " has no property " + e.getKey()
                        + " with a getter and a setter");
            }
            Object value = convert(p, e.getValue());
            try {
                p.setter.invokeExact(bean, value);
            } catch (RuntimeException | Error x) {
                throw x;
            } catch (Throwable t) {
                throw new IllegalStateException("the setter of " + p.name + " threw " + t, t);
            }
        }
        return bean;
    }

    private Object convert(Property p, Object value) {
        if (value == null) {
            if (p.primitive) {
                throw new IllegalArgumentException("property " + p.name + " of bean " + type.getName()
                        + " is a primitive and cannot be set to null");
            }
            return null;
        }
        if (p.boxedType.isInstance(value)) {
            return value;
        }
        Class<?> target = p.javaType.getRawClass();
        Object copied = copyInto(target, value);
        if (copied != null) {
            return copied;
        }
        if (!onlyJdkTypes(p.javaType)) {
            throw new IllegalArgumentException("property " + p.name + " of bean " + type.getName() + " takes a "
                    + p.javaType + ", not a " + value.getClass().getName());
        }
        return Mapper.INSTANCE.convertValue(value, p.javaType);
    }

    /**
     * Copies a collection or map that arrived (unmodifiable) into the JDK collection class a setter
     * takes, keeping its elements as they are; null if {@code target} is not such a class.
     */
    private static Object copyInto(Class<?> target, Object value) {
        if (target.getClassLoader() != null) {
            return null;
        }
        Class<?> concrete = target;
        if (target == SortedSet.class || target == NavigableSet.class) {
            concrete = TreeSet.class;
        } else if (target == SortedMap.class || target == NavigableMap.class) {
            concrete = TreeMap.class;
        }
        boolean collection = value instanceof Collection && Collection.class.isAssignableFrom(concrete);
        boolean map = value instanceof Map && Map.class.isAssignableFrom(concrete);
        if (!collection && !map || concrete.isInterface() || Modifier.isAbstract(concrete.getModifiers())) {
            return null;
        }
        try {
            Object copy = concrete.getConstructor().newInstance();
            if (collection) {
                @SuppressWarnings("unchecked")
                Collection<Object> c = (Collection<Object>) copy;
                c.addAll((Collection<?>) value);
            } else {
                @SuppressWarnings("unchecked")
                Map<Object, Object> m = (Map<Object, Object>) copy;
                m.putAll((Map<?, ?>) value);
            }
            return copy;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Whether a type and all its type arguments and element types are primitives or JDK classes. */
    private static boolean onlyJdkTypes(JavaType t) {
        Class<?> raw = t.getRawClass();
        while (raw.isArray()) {
            raw = raw.getComponentType();
        }
        if (!raw.isPrimitive() && raw.getClassLoader() != null) {
            return false;
        }
        if (t.getContentType() != null && !onlyJdkTypes(t.getContentType())) {
            return false;
        }
        if (t.getKeyType() != null && !onlyJdkTypes(t.getKeyType())) {
            return false;
        }
        for (int i = 0; i < t.containedTypeCount(); i++) {
            if (!onlyJdkTypes(t.containedType(i))) {
                return false;
            }
        }
        return true;
    }
}
