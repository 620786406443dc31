package io.ipos.serialization;

import java.util.Collection;

/** The messages of values that cannot be shared: each names the type and the fix. */
final class ShareErrors {
    private ShareErrors() {
    }

    static String notShareable(Class<?> type) {
        if (type.isArray()) {
            return type.getTypeName() + " cannot be shared: use a List<" + elementName(type.getComponentType())
                    + "> or byte[]";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return type.getName() + " cannot be shared: only maps, lists and sets travel; copy it into a List or a Set";
        }
        String name = type.getName();
        return "cannot share a value of type " + name + ": register it first with IPOS.registerClass("
                + HookType.sourceName(type) + ".class) (a record, or a class with serialize() and static from(x)),"
                + " or IPOS.registerClass(" + simpleName(type) + ".class, serialize, from)";
    }

    static String byteArrayKey(String role) {
        return "byte[] cannot be " + role + ": arrays compare by identity; use a String or a List<Byte>";
    }

    static String loneSurrogate(char surrogate, int index) {
        return String.format("cannot share a String with a lone surrogate \\u%04X at index %d", (int) surrogate, index)
                + ": it can't travel exactly in every wire format (msgpack would turn it into '?');"
                + " remove it, complete the pair, or share the raw data as a byte[]";
    }

    static String tooDeep() {
        return "value nested deeper than " + ValueCodec.MAX_DEPTH + " levels (does a collection contain itself?)";
    }

    private static String elementName(Class<?> component) {
        if (component.isArray()) {
            return component == byte[].class ? "byte[]" : "List<" + elementName(component.getComponentType()) + ">";
        }
        if (component.isPrimitive()) {
            return java.lang.invoke.MethodType.methodType(component).wrap().returnType().getSimpleName();
        }
        return simpleName(component);
    }

    private static String simpleName(Class<?> type) {
        String simple = type.getSimpleName();
        return simple.isEmpty() ? type.getName() : simple;
    }
}
