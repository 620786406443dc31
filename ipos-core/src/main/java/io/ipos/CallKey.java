package io.ipos;

/** A call across the peers: the calling peer's id and the id that peer gave the call. */
record CallKey(int caller, long id) {
}
