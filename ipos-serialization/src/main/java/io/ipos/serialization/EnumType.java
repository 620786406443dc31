package io.ipos.serialization;

import java.util.HashMap;
import java.util.Map;

/** An enum: its form is the constant's {@link Enum#name()}. */
final class EnumType extends RegisteredType {
    private final Map<String, Object> constants = new HashMap<>();

    EnumType(Class<?> type, String wireName) {
        super(type, wireName);
        for (Object constant : type.getEnumConstants()) {
            constants.put(((Enum<?>) constant).name(), constant);
        }
    }

    @Override
    Object serialize(Object instance) {
        return ((Enum<?>) instance).name();
    }

    @Override
    Object create(Object form) {
        Object constant = constants.get(form);
        if (constant == null) {
            throw new IllegalArgumentException("enum " + type.getName() + " has no constant " + form);
        }
        return constant;
    }
}
