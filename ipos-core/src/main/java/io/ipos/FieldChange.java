package io.ipos;

import java.util.Map;

/**
 * Fields were created, re-created or deleted ({@link IPOS#create}, {@link IPOS#delete}).
 * Applied to a plain copy of the fields: remove the {@link #removed()} names, then put the
 * {@link #added()} entries.
 */
public interface FieldChange extends Change {
    /**
     * The fields deleted or re-created, with their previous values.
     *
     * @return field name to previous value, unmodifiable
     */
    Map<String, Object> removed();

    /**
     * The fields created or re-created, with their new values (a container is the live shared one).
     *
     * @return field name to new value, unmodifiable
     */
    Map<String, Object> added();
}
