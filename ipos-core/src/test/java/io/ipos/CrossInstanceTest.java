package io.ipos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class CrossInstanceTest {

    @Test
    void containerOfAnotherInstanceIsCopiedInAsAPlainCollection() {
        try (IPOS other = IPOS.start(); InProcessPair p = new InProcessPair(1)) {
            SharedList<Integer> foreign = other.create("l", List.of(1, 2));
            SharedMap<String, Object> m = p.parent.create("m", Map.of());
            m.put("k", foreign);
            p.settle();
            SharedMap<String, Object> child = p.child(0).get("m");
            SharedList<Integer> copy = cast(child.get("k"));
            copy.add(3);
            p.settle();
            assertEquals(List.of(1, 2, 3), m.get("k"));
            assertEquals(m, child);
            assertEquals(List.of(1, 2), foreign, "the other instance's list is untouched");
        }
    }

    @Test
    void conditionalRemoveOfAByteArrayMatchesByContentEverywhere() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> m = p.parent.create("m", Map.of("k", new byte[] {1, 2}, "j", new byte[] {3}));
            p.settle();
            SharedMap<String, Object> child = p.child(0).get("m");
            child.remove("k", child.get("k"));
            child.replace("j", child.get("j"), new byte[] {4});
            p.settle();
            assertFalse(m.containsKey("k"));
            assertFalse(child.containsKey("k"));
            assertArrayEquals(new byte[] {4}, (byte[]) m.get("j"));
            assertArrayEquals(new byte[] {4}, (byte[]) child.get("j"));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
