package io.ipos;

/**
 * A process taking part in the sharing. The parent is peer 0, named {@code "parent"}; every child
 * or joiner gets the next id in the order the parent admitted it, and the name it asked for
 * ({@code IPOS.Options.name}, else {@code -Dipos.name}, else the environment variable
 * {@code IPOS_NAME}), else {@code "child-<id>"}. Names are unique among connected peers; a process
 * that joins under the name of one that left gets that peer's id again.
 *
 * <p>Two peers are equal when their ids and names are equal.
 */
public interface Peer {
    /**
     * The peer's id: 0 for the parent, then 1, 2, ... in admission order (a rejoin keeps its id).
     *
     * @return the id
     */
    int id();

    /**
     * The peer's name.
     *
     * @return {@code "parent"} for peer 0, else the name it joined with, or {@code "child-<id>"}
     */
    String name();
}
