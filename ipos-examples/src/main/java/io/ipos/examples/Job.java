package io.ipos.examples;

/**
 * One unit of work in {@link WorkQueueDemo}: mix {@code seed} through a 64-bit hash
 * {@code rounds} times. Shared as a value: a record registers with
 * {@code IPOS.registerClass(Job.class)} and travels as its components.
 *
 * @param id the job's number, its key in the {@code claims} and {@code results} maps
 * @param seed the number to hash
 * @param rounds how many times to hash it (about 5 ns each)
 */
public record Job(int id, long seed, int rounds) {

    /**
     * Does the work: plain CPU, no allocation, the same answer in every process.
     *
     * @return the hash of {@code seed} after {@code rounds} rounds
     */
    public long run() {
        long x = seed;
        for (int i = 0; i < rounds; i++) {
            // MurmurHash3's 64-bit finalizer, chained: each round depends on the last
            x ^= x >>> 33;
            x *= 0xff51afd7ed558ccdL;
            x ^= x >>> 33;
            x *= 0xc4ceb9fe1a85ec53L;
            x ^= x >>> 33;
            x += i;
        }
        return x;
    }
}
