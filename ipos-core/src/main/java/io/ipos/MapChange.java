package io.ipos;

import java.util.Map;

/**
 * A shared map changed. Applied to a plain copy of the map: remove the {@link #removed()} keys,
 * then put the {@link #added()} entries; the copy then equals the map as of this change. One write
 * is one change: a {@code putAll}, {@code clear} or {@code removeIf} is one {@code MapChange}.
 *
 * @param <K> the map's key type
 * @param <V> the map's value type
 */
public interface MapChange<K, V> extends Change {
    /**
     * The map that changed.
     *
     * @return the live shared map
     */
    SharedMap<K, V> map();

    /**
     * The keys that were removed or re-mapped, with their previous values.
     *
     * @return unmodifiable, in the order the change met them
     */
    Map<K, V> removed();

    /**
     * The keys that were added or re-mapped, with their new values.
     *
     * @return unmodifiable, in the order the change met them
     */
    Map<K, V> added();
}
