package io.github.copilot4j.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import com.palantir.javapoet.WildcardTypeName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Turns {@code session-events.schema.json} ({@code SessionEvent} = {@code anyOf} of per-type
 * objects with a {@code type} const and a {@code data} object) into one record per event type's
 * {@code data}, a sealed interface {@code SessionEventData} that they all implement (it extends the
 * library's {@code EventPayload}), and {@code SessionEventTypes}, the map from type to record.
 */
final class EventGenerator {
    static final ClassName EVENT_PAYLOAD = ClassName.get("io.github.copilot4j.event", "EventPayload");

    private final String pkg;
    final TypeMapper types;
    /** event type → data definition name, in schema order. */
    final Map<String, String> eventTypes = new LinkedHashMap<>();

    EventGenerator(JsonNode schema, String pkg) {
        this.pkg = pkg;
        JsonNode defs = schema.path("definitions");
        this.types = new TypeMapper(pkg, defs);
        String root = schema.has("$ref") ? TypeMapper.refName(schema) : "SessionEvent";
        for (JsonNode branch : defs.path(root).path("anyOf")) {
            JsonNode ev = branch.has("$ref") ? defs.path(TypeMapper.refName(branch)) : branch;
            String type = ev.path("properties").path("type").path("const").asText(null);
            JsonNode data = ev.path("properties").path("data");
            if (type != null && data.has("$ref")) {
                eventTypes.put(type, TypeMapper.refName(data));
            } else if (type != null) {
                throw new IllegalArgumentException(
                        "event type " + type + " has an inline data schema; the generator expects a $ref");
            }
        }
    }

    List<JavaFile> generate() {
        ClassName sealed = ClassName.get(pkg, "SessionEventData");
        for (String def : eventTypes.values()) {
            types.addInterface(def, sealed);
        }
        Map<String, ClassName> recordOf = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : eventTypes.entrySet()) {
            TypeName t = types.definitionType(e.getValue());
            if (!(t instanceof ClassName c) || !c.packageName().equals(pkg) || t.equals(TypeMapper.JSON_NODE)) {
                throw new IllegalArgumentException(
                        "the data of event " + e.getKey() + " (" + e.getValue() + ") is not an object");
            }
            recordOf.put(e.getKey(), c);
        }
        types.mapAllDefinitions();
        TypeSpec iface = TypeSpec.interfaceBuilder(sealed)
                .addModifiers(Modifier.PUBLIC, Modifier.SEALED)
                .addSuperinterface(EVENT_PAYLOAD)
                .addPermittedSubclasses(new ArrayList<>(new java.util.LinkedHashSet<>(recordOf.values())))
                .addJavadoc(
                        "The typed {@code data} of every session event type in the runtime's schema: one record per type.\n"
                                + "{@link SessionEventTypes} maps a type to its record. Types newer than the schema arrive as\n"
                                + "{@code GenericEvent}.\n")
                .build();
        TypeName classOfData =
                ParameterizedTypeName.get(ClassName.get(Class.class), WildcardTypeName.subtypeOf(sealed));
        CodeBlock.Builder init = CodeBlock.builder().add("$T.ofEntries(", Map.class);
        int i = 0;
        for (Map.Entry<String, ClassName> e : recordOf.entrySet()) {
            init.add(
                    i++ == 0 ? "\n$T.entry($S, $T.class)" : ",\n$T.entry($S, $T.class)",
                    Map.class,
                    e.getKey(),
                    e.getValue());
        }
        init.add(")");
        TypeSpec registry = TypeSpec.classBuilder("SessionEventTypes")
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc(
                        "The event types of the runtime's schema and the record of each one's {@code data}. Constants only.\n")
                .addMethod(MethodSpec.constructorBuilder()
                        .addModifiers(Modifier.PRIVATE)
                        .build())
                .addField(FieldSpec.builder(
                                ParameterizedTypeName.get(
                                        ClassName.get(Map.class), ClassName.get(String.class), classOfData),
                                "TYPES",
                                Modifier.PUBLIC,
                                Modifier.STATIC,
                                Modifier.FINAL)
                        .addJavadoc("Event type (e.g. {@code assistant.usage}) → the record of its {@code data}.\n")
                        .initializer(init.build())
                        .build())
                .build();
        List<JavaFile> files = new ArrayList<>();
        files.add(ApiGenerator.file(pkg, iface));
        files.add(ApiGenerator.file(pkg, registry));
        types.types().values().forEach(t -> files.add(ApiGenerator.file(pkg, t)));
        return files;
    }
}
