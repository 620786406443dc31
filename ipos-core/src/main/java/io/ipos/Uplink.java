package io.ipos;

/**
 * Where this process's messages and calls leave it: in the parent its {@link Router}, in a child
 * or joiner the link to the parent. Called under the replica's lock, so that a message or call
 * takes its place in the stream after every write made before it.
 */
interface Uplink {
    /**
     * Sends one MSG, CALL, RESULT, CANCEL, EXPOSE or UNEXPOSE body (the peer field included, see
     * {@link FrameDescriptor}).
     *
     * @return false if it went nowhere: no link (a child whose parent is gone), or, for a MSG in
     *     the parent, no process to receive it
     */
    boolean send(int type, byte[] body);
}
