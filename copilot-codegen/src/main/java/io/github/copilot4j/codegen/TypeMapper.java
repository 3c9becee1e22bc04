package io.github.copilot4j.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;

/**
 * Maps JSON Schema nodes of one schema file to Java types, and collects the records and enums it
 * needs along the way (one per named definition that is an object or a string enum, one per inline
 * object). What has no faithful Java shape (unions, opaque JSON) becomes {@code JsonNode}, so that
 * nothing is lost and nothing fails on input the generator did not foresee.
 *
 * <p>Generated records: immutable (lists and maps copied), unknown fields ignored, nulls omitted on
 * the wire. Generated enums read an unknown value as {@code UNKNOWN} instead of failing.
 */
final class TypeMapper {
    static final ClassName JSON_NODE = ClassName.get("com.fasterxml.jackson.databind", "JsonNode");
    static final ClassName JSON_PROPERTY = ClassName.get("com.fasterxml.jackson.annotation", "JsonProperty");
    static final ClassName JSON_INCLUDE = ClassName.get("com.fasterxml.jackson.annotation", "JsonInclude");
    static final ClassName JSON_IGNORE_PROPS =
            ClassName.get("com.fasterxml.jackson.annotation", "JsonIgnoreProperties");
    static final ClassName JSON_CREATOR = ClassName.get("com.fasterxml.jackson.annotation", "JsonCreator");
    static final ClassName JSON_VALUE = ClassName.get("com.fasterxml.jackson.annotation", "JsonValue");
    static final ClassName EXPERIMENTAL = ClassName.get("io.github.copilot4j", "Experimental");
    static final ClassName LIST = ClassName.get(List.class);
    static final ClassName MAP = ClassName.get(Map.class);

    private final String pkg;
    private final JsonNode definitions;
    private final Map<String, TypeName> byDefinition = new HashMap<>();
    private final Map<String, TypeSpec.Builder> types = new TreeMap<>();
    private final Set<String> usedNames = new HashSet<>();
    private final Map<String, List<TypeName>> extraInterfaces = new HashMap<>();
    private final Map<String, List<ParameterSpec>> components = new HashMap<>();
    private final Set<String> withBuilder = new HashSet<>();

    TypeMapper(String pkg, JsonNode definitions) {
        this.pkg = pkg;
        this.definitions = definitions;
    }

    String pkg() {
        return pkg;
    }

    JsonNode definition(String name) {
        return definitions.get(name);
    }

    /** Makes the record of definition {@code name} implement {@code iface} (call before it is mapped). */
    void addInterface(String definitionName, TypeName iface) {
        List<TypeName> l = extraInterfaces.computeIfAbsent(definitionName, k -> new ArrayList<>());
        if (!l.contains(iface)) {
            l.add(iface);
        }
    }

    /** All collected types, by simple name. */
    Map<String, TypeSpec> types() {
        Map<String, TypeSpec> out = new TreeMap<>();
        types.forEach((k, v) -> out.put(k, v.build()));
        return out;
    }

    /** The Java type of definition {@code name} ({@code JsonNode} when it has no record/enum shape). */
    TypeName definitionType(String name) {
        TypeName known = byDefinition.get(name);
        if (known != null) {
            return known;
        }
        JsonNode d = definitions.get(name);
        if (d == null) {
            byDefinition.put(name, JSON_NODE);
            return JSON_NODE;
        }
        JsonNode s = unwrapOptional(d);
        JsonNode merged = mergedUnion(s);
        if (merged != null) {
            s = merged;
        }
        if (s.has("$ref")) {
            TypeName t = definitionType(refName(s));
            byDefinition.put(name, t);
            return t;
        }
        if (isRecord(s) || isEnum(s)) {
            ClassName c = ClassName.get(pkg, claim(Names.type(name)));
            byDefinition.put(name, c); // before recursing: definitions may refer to themselves
            if (isRecord(s)) {
                types.put(c.simpleName(), record(c, s, d, Set.of(), extraInterfaces.getOrDefault(name, List.of())));
            } else {
                types.put(c.simpleName(), enumType(c, s));
            }
            return c;
        }
        TypeName t = type(s, Names.type(name));
        byDefinition.put(name, t);
        return t;
    }

    /** Maps every definition (so that each gets its record or enum even if no method uses it). */
    void mapAllDefinitions() {
        for (Iterator<String> it = definitions.fieldNames(); it.hasNext(); ) {
            definitionType(it.next());
        }
    }

    /** The Java type of a schema node; {@code context} names an inline record or enum it may need. */
    TypeName type(JsonNode s, String context) {
        if (s == null || s.isMissingNode() || s.isBoolean()) {
            return JSON_NODE;
        }
        if (s.has("$ref")) {
            return definitionType(refName(s));
        }
        if (s.has("x-opaque-json")) {
            return JSON_NODE;
        }
        JsonNode u = optionalBranch(s);
        if (u != null) {
            return type(u, context);
        }
        if (s.has("anyOf") || s.has("oneOf") || s.has("allOf")) {
            return allStrings(s) ? ClassName.get(String.class) : JSON_NODE;
        }
        String t = singleType(s);
        if (t == null) {
            if (s.has("const")) {
                return s.get("const").isTextual() ? ClassName.get(String.class) : JSON_NODE;
            }
            if (s.has("properties")) {
                t = "object";
            } else {
                return JSON_NODE;
            }
        }
        switch (t) {
            case "string":
                if (isEnum(s)) {
                    ClassName c = ClassName.get(pkg, claim(context));
                    types.put(c.simpleName(), enumType(c, s));
                    return c;
                }
                return ClassName.get(String.class);
            case "integer":
                return ClassName.get(Long.class);
            case "number":
                return ClassName.get(Double.class);
            case "boolean":
                return ClassName.get(Boolean.class);
            case "array":
                return ParameterizedTypeName.get(LIST, type(s.get("items"), context + "Item"));
            case "object":
                if (isRecord(s) && s.get("properties").size() > 0) {
                    ClassName c = ClassName.get(pkg, claim(context));
                    types.put(c.simpleName(), record(c, s, s, Set.of(), List.of()));
                    return c;
                }
                JsonNode ap = s.get("additionalProperties");
                if (ap != null && ap.isObject() && !s.has("properties")) {
                    return ParameterizedTypeName.get(MAP, ClassName.get(String.class), type(ap, context + "Value"));
                }
                return JSON_NODE;
            default:
                return JSON_NODE; // "null" and anything new
        }
    }

    /** An inline or named object as a record named {@code name}, leaving out the properties in {@code skip}. */
    ClassName recordOf(String name, JsonNode s, Set<String> skip) {
        ClassName c = ClassName.get(pkg, claim(name));
        JsonNode u = unwrapOptional(s);
        TypeSpec.Builder b = record(c, u, s, skip, List.of());
        addBuilder(b, c);
        types.put(c.simpleName(), b);
        return c;
    }

    /** Gives the record of {@code c} (already collected) a builder, for params people construct by hand. */
    void withBuilder(ClassName c) {
        TypeSpec.Builder b = types.get(c.simpleName());
        if (b != null) {
            addBuilder(b, c);
        }
    }

    /** {@code Params.builder().modelId("gpt-5").build()}: one setter per component, in order. */
    private void addBuilder(TypeSpec.Builder record, ClassName c) {
        List<ParameterSpec> comps = components.getOrDefault(c.simpleName(), List.of());
        if (comps.isEmpty() || !withBuilder.add(c.simpleName())) {
            return;
        }
        ClassName bc = c.nestedClass("Builder");
        TypeSpec.Builder b = TypeSpec.classBuilder(bc)
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Builds {@link $T}; every field starts unset (null, left out on the wire).\n", c)
                .addMethod(MethodSpec.constructorBuilder()
                        .addModifiers(Modifier.PRIVATE)
                        .build());
        CodeBlock.Builder args = CodeBlock.builder();
        for (int i = 0; i < comps.size(); i++) {
            ParameterSpec p = comps.get(i);
            b.addField(FieldSpec.builder(p.type(), p.name(), Modifier.PRIVATE).build());
            b.addMethod(MethodSpec.methodBuilder(p.name())
                    .addModifiers(Modifier.PUBLIC)
                    .returns(bc)
                    .addParameter(p.type(), p.name())
                    .addJavadoc("Sets {@code $N}.\n\n@param $N the value\n@return this builder\n", p.name(), p.name())
                    .addStatement("this.$N = $N", p.name(), p.name())
                    .addStatement("return this")
                    .build());
            args.add(i == 0 ? "$N" : ", $N", p.name());
        }
        b.addMethod(MethodSpec.methodBuilder("build")
                .addModifiers(Modifier.PUBLIC)
                .returns(c)
                .addJavadoc("@return the record\n")
                .addStatement("return new $T($L)", c, args.build())
                .build());
        record.addType(b.build());
        record.addMethod(MethodSpec.methodBuilder("builder")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(bc)
                .addJavadoc("@return a builder with every field unset\n")
                .addStatement("return new $T()", bc)
                .build());
    }

    /** The object schema behind a node (following one $ref and the optional-params pattern), or null. */
    JsonNode objectSchema(JsonNode s) {
        if (s == null) {
            return null;
        }
        JsonNode u = unwrapOptional(s);
        if (u.has("$ref")) {
            JsonNode d = definitions.get(refName(u));
            return d == null ? null : objectSchema(d);
        }
        return isRecord(u) ? u : null;
    }

    private TypeSpec.Builder record(
            ClassName c, JsonNode s, JsonNode docSource, Set<String> skip, List<TypeName> ifaces) {
        TypeSpec.Builder b = TypeSpec.recordBuilder(c)
                .addModifiers(Modifier.PUBLIC)
                .addAnnotation(AnnotationSpec.builder(JSON_INCLUDE)
                        .addMember("value", "$T.Include.NON_NULL", JSON_INCLUDE)
                        .build())
                .addAnnotation(AnnotationSpec.builder(JSON_IGNORE_PROPS)
                        .addMember("ignoreUnknown", "true")
                        .build())
                .addSuperinterfaces(ifaces);
        if ("experimental".equals(docSource.path("stability").asText(null))) {
            b.addAnnotation(EXPERIMENTAL);
        }
        StringBuilder doc = new StringBuilder(Names.doc(text(docSource, "description", "title")));
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
        MethodSpec.Builder compact = MethodSpec.compactConstructorBuilder().addModifiers(Modifier.PUBLIC);
        boolean copies = false;
        Set<String> members = new HashSet<>();
        Set<String> required = new HashSet<>();
        s.path("required").forEach(r -> required.add(r.asText()));
        for (Map.Entry<String, JsonNode> p : s.path("properties").properties()) {
            if (skip.contains(p.getKey())) {
                continue;
            }
            String member = Names.member(p.getKey());
            while (!members.add(member)) {
                member = member + "_";
            }
            TypeName t = type(p.getValue(), c.simpleName() + Names.type(p.getKey()));
            ctor.addParameter(ParameterSpec.builder(t, member)
                    .addAnnotation(AnnotationSpec.builder(JSON_PROPERTY)
                            .addMember("value", "$S", p.getKey())
                            .build())
                    .build());
            String pd = Names.doc(text(p.getValue(), "description", "title"));
            doc.append("\n@param ")
                    .append(member)
                    .append(' ')
                    .append(required.contains(p.getKey()) ? "" : "(optional) ")
                    .append(pd.isEmpty() ? p.getKey() : pd);
            if (t instanceof ParameterizedTypeName pt && pt.rawType().equals(LIST)) {
                compact.addStatement(
                        "$N = $N == null ? null : $T.unmodifiableList(new $T<>($N))",
                        member,
                        member,
                        java.util.Collections.class,
                        ArrayList.class,
                        member);
                copies = true;
            } else if (t instanceof ParameterizedTypeName pt && pt.rawType().equals(MAP)) {
                compact.addStatement(
                        "$N = $N == null ? null : $T.unmodifiableMap(new $T<>($N))",
                        member,
                        member,
                        java.util.Collections.class,
                        LinkedHashMap.class,
                        member);
                copies = true;
            }
        }
        MethodSpec canonical = ctor.build();
        components.put(c.simpleName(), canonical.parameters());
        b.recordConstructor(canonical);
        if (copies) {
            b.addMethod(compact.build());
        }
        b.addJavadoc("$L\n", doc.toString().isBlank() ? c.simpleName() : doc.toString());
        return b;
    }

    private TypeSpec.Builder enumType(ClassName c, JsonNode s) {
        TypeSpec.Builder b = TypeSpec.enumBuilder(c).addModifiers(Modifier.PUBLIC);
        String d = Names.doc(text(s, "description", "title"));
        b.addJavadoc("$L\n", d.isEmpty() ? c.simpleName() : d);
        Set<String> seen = new HashSet<>();
        JsonNode descs = s.path("x-enumDescriptions");
        for (JsonNode v : s.get("enum")) {
            String name = Names.constant(v.asText());
            while (!seen.add(name)) {
                name = name + "_";
            }
            TypeSpec.Builder constant = TypeSpec.anonymousClassBuilder("$S", v.asText());
            String vd = descs.isObject() ? Names.doc(descs.path(v.asText()).asText(null)) : "";
            constant.addJavadoc("$L\n", vd.isEmpty() ? "{@code " + v.asText().replace("}", "&#125;") + "}" : vd);
            b.addEnumConstant(name, constant.build());
        }
        String unknown = seen.contains("UNKNOWN") ? "UNKNOWN_VALUE" : "UNKNOWN";
        b.addEnumConstant(
                unknown,
                TypeSpec.anonymousClassBuilder("$S", "")
                        .addJavadoc("A value this version of copilot4j does not know (read from a newer runtime).\n")
                        .build());
        b.addField(FieldSpec.builder(String.class, "value", Modifier.PRIVATE, Modifier.FINAL)
                .build());
        b.addMethod(MethodSpec.constructorBuilder()
                .addParameter(String.class, "value")
                .addStatement("this.value = value")
                .build());
        b.addMethod(MethodSpec.methodBuilder("value")
                .addModifiers(Modifier.PUBLIC)
                .returns(String.class)
                .addAnnotation(JSON_VALUE)
                .addJavadoc("The value on the wire.\n")
                .addStatement("return value")
                .build());
        b.addMethod(MethodSpec.methodBuilder("fromValue")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(c)
                .addAnnotation(JSON_CREATOR)
                .addParameter(String.class, "value")
                .addJavadoc("The constant of a wire value; {@code $L} for one this version does not know.\n", unknown)
                .addCode(CodeBlock.builder()
                        .beginControlFlow("for ($T v : values())", c)
                        .beginControlFlow("if (v != $L && v.value.equals(value))", unknown)
                        .addStatement("return v")
                        .endControlFlow()
                        .endControlFlow()
                        .addStatement("return $L", unknown)
                        .build())
                .build());
        return b;
    }

    /** A unique simple name in this package ({@code Name}, {@code Name2}, ...). */
    private String claim(String name) {
        String n = name;
        int i = 2;
        while (!usedNames.add(n)) {
            n = name + i++;
        }
        return n;
    }

    /**
     * A union whose branches are all objects (inline or by reference), as one object with every
     * branch's properties, none required: a property whose branches disagree on its type becomes
     * untyped JSON, a {@code const} discriminator becomes a plain string. Null if {@code s} is no such union.
     */
    JsonNode mergedUnion(JsonNode s) {
        JsonNode any = s.has("anyOf") ? s.get("anyOf") : s.get("oneOf");
        if (any == null || !any.isArray() || any.size() < 2 || s.has("properties")) {
            return null;
        }
        com.fasterxml.jackson.databind.node.ObjectNode props =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (JsonNode b : any) {
            JsonNode o = b.has("$ref") ? definitions.get(refName(b)) : b;
            if (o == null || !isRecord(o)) {
                return null;
            }
            for (Map.Entry<String, JsonNode> p : o.get("properties").properties()) {
                JsonNode norm = normalized(p.getValue());
                JsonNode prev = props.get(p.getKey());
                if (prev == null) {
                    JsonNode keep = p.getValue();
                    if (keep.isObject() && keep.has("const")) {
                        com.fasterxml.jackson.databind.node.ObjectNode k = keep.deepCopy();
                        k.remove("const");
                        k.put("type", "string");
                        keep = k;
                    }
                    props.set(p.getKey(), keep);
                } else if (!normalized(prev).equals(norm)) {
                    props.set(
                            p.getKey(),
                            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                                    .objectNode()
                                    .put("description", text(prev, "description")));
                }
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode out =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        out.put("type", "object");
        out.set("properties", props);
        for (String f : List.of("description", "title", "stability")) {
            if (s.has(f)) {
                out.set(f, s.get(f));
            }
        }
        return out;
    }

    /** A property schema without its const (a discriminator value), for comparing branches. */
    private static JsonNode normalized(JsonNode p) {
        if (!p.isObject() || !p.has("const")) {
            return p.isObject()
                    ? ((com.fasterxml.jackson.databind.node.ObjectNode) p.deepCopy()).without("description")
                    : p;
        }
        com.fasterxml.jackson.databind.node.ObjectNode c = p.deepCopy();
        c.remove("const");
        c.remove("description");
        if (!c.has("type")) {
            c.put("type", "string");
        }
        return c;
    }

    /** {@code anyOf [{not:{}}, X]} (optional params) and {@code anyOf [X, {type:null}]} (nullable) → X. */
    static JsonNode unwrapOptional(JsonNode s) {
        JsonNode branch = optionalBranch(s);
        return branch == null ? s : branch;
    }

    /** The one real branch of an optional {@code anyOf} (the others null or "never"), or null if {@code s} is no such wrapper. */
    static JsonNode optionalBranch(JsonNode s) {
        JsonNode any = s.get("anyOf");
        if (any == null || !any.isArray()) {
            return null;
        }
        List<JsonNode> rest = new ArrayList<>();
        for (JsonNode b : any) {
            boolean never =
                    b.has("not") && b.get("not").isObject() && b.get("not").isEmpty();
            boolean isNull = "null".equals(b.path("type").asText(null)) && b.size() <= 2;
            if (!never && !isNull) {
                rest.add(b);
            }
        }
        return rest.size() == 1 && rest.size() < any.size() ? rest.get(0) : null;
    }

    static boolean isRecord(JsonNode s) {
        return s.has("properties")
                && s.get("properties").isObject()
                && ("object".equals(singleType(s)) || singleType(s) == null)
                && !s.has("x-opaque-json");
    }

    static boolean isEnum(JsonNode s) {
        JsonNode e = s.get("enum");
        if (e == null || !e.isArray() || e.isEmpty() || !"string".equals(singleType(s))) {
            return false;
        }
        for (JsonNode v : e) {
            if (!v.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** The one non-null {@code type} of a node ({@code ["string","null"]} → string), or null. */
    static String singleType(JsonNode s) {
        JsonNode t = s.get("type");
        if (t == null) {
            return null;
        }
        if (t.isTextual()) {
            return t.asText();
        }
        String one = null;
        for (JsonNode x : t) {
            if (!"null".equals(x.asText())) {
                if (one != null) {
                    return null;
                }
                one = x.asText();
            }
        }
        return one;
    }

    private static boolean allStrings(JsonNode s) {
        JsonNode any = s.has("anyOf") ? s.get("anyOf") : s.has("oneOf") ? s.get("oneOf") : null;
        if (any == null || any.isEmpty()) {
            return false;
        }
        for (JsonNode b : any) {
            if (!"string".equals(singleType(b))
                    && !(b.has("const") && b.get("const").isTextual())) {
                return false;
            }
        }
        return true;
    }

    static String refName(JsonNode s) {
        String ref = s.get("$ref").asText();
        return ref.substring(ref.lastIndexOf('/') + 1);
    }

    static String text(JsonNode s, String... fields) {
        for (String f : fields) {
            JsonNode v = s.get(f);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return "";
    }
}
