package io.ipos;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One implementation this process exposed under a name, and the only methods a call may reach:
 * the public instance methods of the exposed interface (its own and inherited), not those of
 * {@code Object}, not static ones. A call names the interface, the method and its parameter types
 * as strings; each is looked up here, never loaded by name, and the arguments are checked against
 * the method's declared parameter types before anything runs.
 */
final class Exposed {
    final String name;
    final Class<?> api;
    final Object implementation;
    /** Callable methods by {@link #key}. */
    private final Map<String, Method> methods = new HashMap<>();

    /** A call that must not run: what it asked for is not a method of the exposed interface, or its arguments don't fit. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String why) {
            super(why, null, false, false);
        }
    }

    Exposed(String name, Class<?> api, Object implementation) {
        this.name = name;
        this.api = api;
        this.implementation = implementation;
        for (Method m : api.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || isObjectMethod(m)) {
                continue;
            }
            try {
                m.setAccessible(true); // an interface that is not public, of a class path in one module
            } catch (RuntimeException notOpen) {
                // a public interface of a named module: invoke works as it is
            }
            methods.put(key(m.getName(), CallProxy.typeNames(m)), m);
        }
    }

    /** Whether {@code m} is one of {@code Object}'s public methods (an interface may declare {@code equals}, {@code toString}...). */
    static boolean isObjectMethod(Method m) {
        if (m.getDeclaringClass() == Object.class) {
            return true;
        }
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String key(String method, List<String> types) {
        return method + "(" + String.join(",", types) + ")";
    }

    /**
     * The method a call may run, its arguments checked.
     *
     * @throws Refused naming what does not fit, if it is not a method of the exposed interface or
     *     an argument is not of its parameter's type
     */
    Method resolve(String interfaceName, String method, List<String> types, Object[] args) throws Refused {
        if (!api.getName().equals(interfaceName)) {
            throw new Refused("'" + name + "' exposes " + api.getName() + ", not " + interfaceName);
        }
        Method m = methods.get(key(method, types));
        if (m == null) {
            throw new Refused(api.getName() + " has no method " + key(method, types) + " that can be called");
        }
        Class<?>[] params = m.getParameterTypes();
        if (args.length != params.length) {
            throw new Refused(key(method, types) + " takes " + params.length + " arguments, the call has " + args.length);
        }
        for (int i = 0; i < params.length; i++) {
            Object a = args[i];
            if (a == null ? params[i].isPrimitive() : !Talk.boxed(params[i]).isInstance(a)) {
                throw new Refused("argument " + i + " of " + key(method, types) + " is "
                        + (a == null ? "null" : "a " + a.getClass().getName()) + ", not a " + params[i].getName()
                        + (a instanceof io.ipos.serialization.UnresolvedValue u ? " (" + u + ")" : ""));
            }
        }
        return m;
    }
}
