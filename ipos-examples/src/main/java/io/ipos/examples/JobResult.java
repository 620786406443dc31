package io.ipos.examples;

/**
 * What a {@link Worker} reports for one {@link Job}, as the value of the {@code results} map.
 *
 * @param job the job's id
 * @param worker the name of the worker that did it
 * @param hash what {@link Job#run()} returned
 * @param millis how long the work took
 */
public record JobResult(int job, String worker, long hash, long millis) {
}
