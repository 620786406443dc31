package io.ipos;

/** A peer joined or left: what {@link IPOS#onPeer} listeners are told, in every process. */
public interface PeerEvent {
    /**
     * The peer that came or went.
     *
     * @return the peer
     */
    Peer peer();

    /**
     * Whether it joined.
     *
     * @return true if it joined, false if it left
     */
    boolean joined();
}
