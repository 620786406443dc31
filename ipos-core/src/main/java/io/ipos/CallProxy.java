package io.ipos;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The handler behind {@code IPOS.proxy(name, api)}: an interface method becomes a call to the
 * process that exposes {@code name} ({@link OutgoingCalls#call}); {@code toString}, {@code equals} and
 * {@code hashCode} are answered here.
 */
final class CallProxy implements InvocationHandler {
    private final OutgoingCalls calls;
    final String name;
    final Class<?> api;

    /** What a method needs for its calls, worked out once per method. */
    record Signature(String method, List<String> types, boolean async, Class<?> result, boolean primitiveResult) {
    }

    private static final ClassValue<java.util.concurrent.ConcurrentHashMap<Method, Signature>> SIGNATURES = new ClassValue<>() {
        @Override
        protected java.util.concurrent.ConcurrentHashMap<Method, Signature> computeValue(Class<?> type) {
            return new java.util.concurrent.ConcurrentHashMap<>();
        }
    };

    private CallProxy(OutgoingCalls calls, String name, Class<?> api) {
        this.calls = calls;
        this.name = name;
        this.api = api;
    }

    static <T> T create(OutgoingCalls calls, String name, Class<T> api) {
        if (!api.isInterface()) {
            throw new IllegalArgumentException(api.getName() + " is not an interface: a proxy implements an interface");
        }
        return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, new CallProxy(calls, name, api)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (Exposed.isObjectMethod(method)) {
            return switch (method.getName()) {
                case "toString" -> "proxy of '" + name + "' (" + api.getName() + ")";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(method + " is not answered by a proxy");
            };
        }
        Signature s = SIGNATURES.get(api).computeIfAbsent(method, CallProxy::signature);
        return calls.call(name, api, s, args == null ? new Object[0] : args);
    }

    static List<String> typeNames(Method m) {
        List<String> names = new ArrayList<>();
        for (Class<?> p : m.getParameterTypes()) {
            names.add(p.getName());
        }
        return List.copyOf(names);
    }

    private static Signature signature(Method m) {
        Class<?> r = m.getReturnType();
        boolean async = r == CompletableFuture.class || r == CompletionStage.class;
        Class<?> result = r;
        if (async) {
            Type t = m.getGenericReturnType();
            result = Object.class;
            if (t instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
                Type arg = p.getActualTypeArguments()[0];
                if (arg instanceof Class<?> c) {
                    result = c;
                } else if (arg instanceof ParameterizedType pa && pa.getRawType() instanceof Class<?> c) {
                    result = c;
                }
            }
        }
        boolean primitive = result.isPrimitive() && result != void.class;
        return new Signature(m.getName(), typeNames(m), async, Talk.boxed(result), primitive);
    }
}
