package io.kube4j.api.patch;

import java.util.List;
import java.util.Map;

/**
 * What a strategic merge patch needs to know about a type: for each JSON field, its patch strategies
 * ({@code merge}, {@code replace}, {@code retainKeys}), its merge key, and the schema of its value (of its elements
 * for a list). Kubernetes' {@code strategicpatch.LookupPatchMeta}; {@link PatchMetaTable} holds the built-in types.
 */
public interface PatchSchema {

    /** The field's metadata; a field the schema does not describe has none (maps merge, lists are replaced). */
    Field field(String name);

    /** The type's name, for error messages. */
    String name();

    /** A field: the schema of its value (of its elements, for a list), its strategies and merge key ("" if none). */
    record Field(PatchSchema schema, List<String> strategies, String mergeKey) {
        static final Field NONE = new Field(generic(), List.of(), "");
    }

    /** A schema that knows no field: every map merges, every list is replaced. */
    static PatchSchema generic() {
        return Generic.INSTANCE;
    }

    /** A struct type's fields (tests build the Kubernetes test type {@code MergeItem} with it). */
    static PatchSchema struct(String name, Map<String, Field> fields) {
        return new PatchSchema() {
            @Override
            public Field field(String f) {
                return fields.getOrDefault(f, Field.NONE);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** A map whose values all have one schema (Go's {@code map[string]T}). */
    static PatchSchema mapOf(PatchSchema values) {
        return new PatchSchema() {
            @Override
            public Field field(String f) {
                return new Field(values, List.of(), "");
            }

            @Override
            public String name() {
                return "map[string]" + values.name();
            }
        };
    }

    /** The schema that knows nothing. */
    final class Generic implements PatchSchema {
        static final Generic INSTANCE = new Generic();

        private Generic() {
        }

        @Override
        public Field field(String name) {
            return Field.NONE;
        }

        @Override
        public String name() {
            return "object";
        }
    }
}
