package io.ipos.serialization;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;

/**
 * Turns the members of user classes (record constructors and accessors, hook methods) into method
 * handles, whatever their access, and explains how to open a package when the module system says
 * no. Classes on the class path (the unnamed module) always work.
 */
final class Access {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private Access() {
    }

    static MethodHandle unreflect(Class<?> type, Method method) {
        open(type, method);
        try {
            return LOOKUP.unreflect(method);
        } catch (IllegalAccessException e) {
            throw notAccessible(type, method, e);
        }
    }

    static MethodHandle unreflectConstructor(Class<?> type, Constructor<?> constructor) {
        open(type, constructor);
        try {
            return LOOKUP.unreflectConstructor(constructor);
        } catch (IllegalAccessException e) {
            throw notAccessible(type, constructor, e);
        }
    }

    private static void open(Class<?> type, Executable member) {
        Access.class.getModule().addReads(type.getModule());
        try {
            member.trySetAccessible();
        } catch (InaccessibleObjectException | SecurityException e) {
            throw notAccessible(type, member, e);
        }
    }

    private static IllegalArgumentException notAccessible(Class<?> type, Executable member, Exception cause) {
        Module ours = Access.class.getModule();
        String us = ours.isNamed() ? ours.getName() : "ALL-UNNAMED";
        String pkg = type.getPackageName();
        return new IllegalArgumentException("cannot register " + type.getName() + ": " + member
                + " is not accessible to ipos; open its package, e.g. 'opens " + pkg + " to " + us
                + ";' in module-info.java, or --add-opens " + type.getModule().getName() + "/" + pkg + "=" + us,
                cause);
    }
}
