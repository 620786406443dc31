package io.ipos;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where a node sits and who watches it: its depth and the container holding it (set when it is
 * attached, cleared when it is detached) and the listeners subscribed to it. Guarded by the
 * replica's lock, but for the listener list, which the event thread reads as it delivers.
 */
final class NodeSite {
    /** Containers between the root and the node (the root is 0); -1 while detached. */
    int depth = -1;
    /** The container holding the node while attached (null for the root and while detached). */
    Node parent;
    private CopyOnWriteArrayList<ChangeFeed.Listener> listeners;

    List<ChangeFeed.Listener> listeners() {
        List<ChangeFeed.Listener> l = listeners;
        return l != null ? l : List.of();
    }

    void add(ChangeFeed.Listener l) {
        if (listeners == null) {
            listeners = new CopyOnWriteArrayList<>();
        }
        listeners.add(l);
    }

    void remove(ChangeFeed.Listener l) {
        if (listeners != null) {
            listeners.remove(l);
        }
    }
}
