package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void parentWriteReachesChildAndBack() {
        try (InProcessPair p = new InProcessPair(2)) {
            SharedMap<String, Object> m = p.parent.create("m", Map.of("a", 1));
            p.settle();
            SharedMap<String, Object> c1 = p.child(0).get("m");
            assertEquals(Map.of("a", 1), c1);
            c1.put("b", List.of(1, 2, Set.of("x")));
            p.settle();
            assertEquals(m, c1);
            SharedMap<String, Object> c2 = p.child(1).get("m");
            assertEquals(m, c2);
            System.out.println(m + " " + c2);
        }
    }
}
