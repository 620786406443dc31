package io.ipos;

import java.util.List;

/**
 * One change of what this process holds, as a listener sees it: a {@link FieldChange},
 * {@link MapChange}, {@link ListChange} or {@link SetChange}.
 *
 * <p>Listeners see every change of this process's view, once each, in the order the view changed:
 * its own writes, other processes' writes, and the corrections of a re-base (when a write from
 * elsewhere is ordered before one of this process's pending writes, the pending write's change is
 * undone and redone; each step is a change, with the origin of the write it undoes or redoes).
 */
public interface Change {
    /**
     * The process whose write caused this change.
     *
     * @return the writer
     */
    Peer origin();

    /**
     * Whether {@link #origin()} is this process.
     *
     * @return true for this process's own writes (and their re-base steps)
     */
    boolean isLocal();

    /**
     * Where the changed container sits, as of delivery: the field's name, then the map keys and list
     * indices down to the container. Empty for a {@link FieldChange}, and for a container that was
     * detached by the time the change is delivered.
     *
     * @return the path, unmodifiable
     */
    List<Object> path();
}
