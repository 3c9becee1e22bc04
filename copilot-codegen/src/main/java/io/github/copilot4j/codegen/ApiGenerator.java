package io.github.copilot4j.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;

/**
 * Turns {@code api.schema.json} into {@code ServerRpc}, {@code SessionRpc} and one small class per
 * namespace ({@code SessionModelApi} for {@code session.model.*}), each method blocking plus an
 * {@code ...Async} twin, and {@code RpcSurface} (what was typed and what was left out, for tests and
 * documentation). Methods with {@code visibility: internal} are left out. The records of params,
 * results and definitions go to {@code <pkg>.model}.
 */
final class ApiGenerator {
    static final String SESSION_ID = "sessionId";
    static final ClassName COMPLETABLE_FUTURE = ClassName.get("java.util.concurrent", "CompletableFuture");
    static final ClassName OBJECT_NODE = ClassName.get("com.fasterxml.jackson.databind.node", "ObjectNode");
    static final ClassName TYPE_REFERENCE = ClassName.get("com.fasterxml.jackson.core.type", "TypeReference");

    /** One method of the schema. */
    record Method(String group, List<String> path, String rpcMethod, JsonNode spec) {
        boolean internal() {
            return "internal".equals(spec.path("visibility").asText(null));
        }
    }

    private final String pkg;
    private final ClassName caller;
    private final ClassName codec;
    final TypeMapper models;
    private final String schemaVersion;
    final List<Method> methods = new ArrayList<>();

    ApiGenerator(JsonNode schema, String pkg, String schemaVersion) {
        this.pkg = pkg;
        this.schemaVersion = schemaVersion;
        this.caller = ClassName.get(pkg, "RpcCaller");
        this.codec = ClassName.get(pkg, "RpcCodec");
        this.models = new TypeMapper(pkg + ".model", schema.path("definitions"));
        for (String group : List.of("server", "session", "clientSession", "clientGlobal")) {
            collect(group, new ArrayList<>(), schema.path(group));
        }
    }

    private void collect(String group, List<String> path, JsonNode node) {
        if (node.has("rpcMethod") && node.get("rpcMethod").isTextual()) {
            methods.add(
                    new Method(group, List.copyOf(path), node.get("rpcMethod").asText(), node));
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isObject()) {
                path.add(e.getKey());
                collect(group, path, e.getValue());
                path.remove(path.size() - 1);
            }
        }
    }

    /** Everything to write: namespace classes, the two entry points, the surface, and the model records. */
    List<com.palantir.javapoet.JavaFile> generate() {
        Map<String, Map<List<String>, TypeSpec.Builder>> byGroup = new LinkedHashMap<>();
        for (String group : List.of("server", "session")) {
            Map<List<String>, TypeSpec.Builder> classes =
                    new TreeMap<>((a, b) -> String.join(".", a).compareTo(String.join(".", b)));
            classes.put(List.of(), namespaceClass(group, List.of()));
            byGroup.put(group, classes);
        }
        for (Method m : methods) {
            if (m.internal() || !byGroup.containsKey(m.group())) {
                continue;
            }
            Map<List<String>, TypeSpec.Builder> classes = byGroup.get(m.group());
            List<String> ns = m.path().subList(0, m.path().size() - 1);
            for (int i = 1; i <= ns.size(); i++) {
                List<String> prefix = ns.subList(0, i);
                if (!classes.containsKey(prefix)) {
                    classes.put(List.copyOf(prefix), namespaceClass(m.group(), prefix));
                    List<String> parent = ns.subList(0, i - 1);
                    addAccessor(classes.get(parent), m.group(), List.copyOf(prefix));
                }
            }
            addMethod(classes.get(ns), m);
        }
        models.mapAllDefinitions();
        List<com.palantir.javapoet.JavaFile> files = new ArrayList<>();
        byGroup.values().forEach(classes -> classes.values().forEach(b -> files.add(file(pkg, b.build()))));
        files.add(file(pkg, surface()));
        models.types().values().forEach(t -> files.add(file(models.pkg(), t)));
        return files;
    }

    static String className(String group, List<String> ns) {
        StringBuilder sb = new StringBuilder(group.equals("server") ? "Server" : "Session");
        ns.forEach(s -> sb.append(Names.type(s)));
        return sb.append(ns.isEmpty() ? "Rpc" : "Api").toString();
    }

    private TypeSpec.Builder namespaceClass(String group, List<String> ns) {
        boolean session = group.equals("session");
        String name = className(group, ns);
        TypeSpec.Builder b = TypeSpec.classBuilder(name)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addField(FieldSpec.builder(caller, "caller", Modifier.PRIVATE, Modifier.FINAL)
                        .build());
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
                .addParameter(caller, "caller")
                .addStatement("this.caller = $T.requireNonNull(caller, $S)", java.util.Objects.class, "caller");
        if (session) {
            b.addField(FieldSpec.builder(String.class, SESSION_ID, Modifier.PRIVATE, Modifier.FINAL)
                    .build());
            ctor.addParameter(String.class, SESSION_ID)
                    .addStatement(
                            "this.sessionId = $T.requireNonNull(sessionId, $S)", java.util.Objects.class, SESSION_ID);
        }
        String where = (session ? "session" : "") + (ns.isEmpty() ? "" : (session ? "." : "") + String.join(".", ns));
        if (ns.isEmpty()) {
            ctor.addModifiers(Modifier.PUBLIC)
                    .addJavadoc(
                            session
                                    ? "A typed view of session {@code sessionId}'s methods, calling through {@code caller}.\n"
                                    : "A typed view of the runtime's server methods, calling through {@code caller}.\n");
            b.addJavadoc(
                    session
                            ? "The runtime's session-scoped methods ({@code session.*}) of one session, typed from the runtime's schema\n"
                                    + "($L); the session id is filled in. Each method blocks for at most the client's request timeout and\n"
                                    + "has an {@code ...Async} twin. Thread-safe; futures complete on the client's completion executor.\n"
                                    + "{@link #call} reaches any method by name (e.g. one newer than the schema).\n"
                            : "The runtime's server-scoped methods, typed from the runtime's schema ($L). Each method blocks for at\n"
                                    + "most the client's request timeout and has an {@code ...Async} twin. Thread-safe; futures complete\n"
                                    + "on the client's completion executor. {@link #call} reaches any method by name (e.g. one newer than\n"
                                    + "the schema).\n",
                    schemaVersion);
            addRaw(b, session);
        } else {
            b.addJavadoc(
                    "The {@code $L.*} methods. Obtained from {@link $L}; thread-safe.\n",
                    where,
                    className(group, List.of()));
        }
        b.addMethod(ctor.build());
        return b;
    }

    private void addRaw(TypeSpec.Builder b, boolean session) {
        String fill = session ? " with {@code sessionId} filled in" : "";
        b.addMethod(MethodSpec.methodBuilder("callAsync")
                .addModifiers(Modifier.PUBLIC)
                .returns(ParameterizedTypeName.get(COMPLETABLE_FUTURE, TypeMapper.JSON_NODE))
                .addParameter(String.class, "method")
                .addParameter(TypeMapper.JSON_NODE, "params")
                .addJavadoc(
                        "Calls any method by name, untyped$L.\n\n@param method the JSON-RPC method\n"
                                + "@param params an object, or null for none\n@return the raw result\n",
                        fill)
                .addStatement("return caller.callAsync(method, $T.raw(params$L))", codec, session ? ", sessionId" : "")
                .build());
        b.addMethod(MethodSpec.methodBuilder("call")
                .addModifiers(Modifier.PUBLIC)
                .returns(TypeMapper.JSON_NODE)
                .addParameter(String.class, "method")
                .addParameter(TypeMapper.JSON_NODE, "params")
                .addJavadoc("Blocking {@link #callAsync}.\n\n@param method the JSON-RPC method\n"
                        + "@param params an object, or null for none\n@return the raw result\n")
                .addStatement("return caller.await(callAsync(method, params), method)")
                .build());
        if (session) {
            b.addMethod(MethodSpec.methodBuilder("sessionId")
                    .addModifiers(Modifier.PUBLIC)
                    .returns(String.class)
                    .addJavadoc("The session these calls address.\n")
                    .addStatement("return sessionId")
                    .build());
        }
    }

    private void addAccessor(TypeSpec.Builder parent, String group, List<String> ns) {
        ClassName c = ClassName.get(pkg, className(group, ns));
        String field = Names.member(ns.get(ns.size() - 1));
        boolean session = group.equals("session");
        parent.addMethod(MethodSpec.methodBuilder(field)
                .addModifiers(Modifier.PUBLIC)
                .returns(c)
                .addJavadoc("The {@code $L.*} methods.\n", (session ? "session." : "") + String.join(".", ns))
                .addStatement(session ? "return new $T(caller, sessionId)" : "return new $T(caller)", c)
                .build());
    }

    private void addMethod(TypeSpec.Builder b, Method m) {
        boolean session = m.group().equals("session");
        String base = Names.type(m.group()) + m.path().stream().map(Names::type).reduce("", String::concat);
        JsonNode params = m.spec().get("params");
        JsonNode obj = params == null ? null : models.objectSchema(params);
        Set<String> skip = session ? Set.of(SESSION_ID) : Set.of();
        TypeName paramType = null;
        boolean optional = true;
        if (obj != null) {
            int props = 0;
            for (Iterator<String> it = obj.path("properties").fieldNames(); it.hasNext(); ) {
                if (!skip.contains(it.next())) {
                    props++;
                }
            }
            for (JsonNode r : obj.path("required")) {
                if (!skip.contains(r.asText())) {
                    optional = false;
                }
            }
            if (TypeMapper.optionalBranch(params) != null) {
                optional = true;
            }
            if (props > 0) {
                boolean hasSessionId = obj.path("properties").has(SESSION_ID);
                paramType = params.has("$ref") && !(session && hasSessionId)
                        ? models.definitionType(TypeMapper.refName(params))
                        : models.recordOf(base + "Params", obj, skip);
                if (paramType instanceof ClassName c) {
                    models.withBuilder(c);
                }
            }
        } else if (params != null && !params.path("type").asText("object").equals("object")) {
            paramType = models.type(params, base + "Params"); // not seen in the schema; kept general
            optional = false;
        }
        JsonNode result = m.spec().get("result");
        TypeName resultType =
                result == null || "null".equals(result.path("type").asText(null))
                        ? ClassName.get(Void.class)
                        : models.type(result, base + "Result");
        String name = Names.member(m.path().get(m.path().size() - 1));
        String doc = Names.doc(TypeMapper.text(m.spec(), "description"));
        boolean experimental = "experimental".equals(m.spec().path("stability").asText(null));
        if (paramType != null) {
            emit(b, m, name, doc, experimental, paramType, resultType, session);
        }
        if (paramType == null || optional) {
            emit(b, m, name, doc, experimental, null, resultType, session);
        }
    }

    private void emit(
            TypeSpec.Builder b,
            Method m,
            String name,
            String doc,
            boolean experimental,
            TypeName paramType,
            TypeName resultType,
            boolean session) {
        boolean isVoid = resultType.equals(ClassName.get(Void.class));
        CodeBlock paramsExpr = CodeBlock.of(
                "$T.params($L$L)", codec, paramType == null ? "null" : "params", session ? ", sessionId" : "");
        CodeBlock read = isVoid
                ? CodeBlock.of("r -> null")
                : resultType instanceof ParameterizedTypeName
                        ? CodeBlock.of(
                                "r -> $T.read(r, new $T<$T>() {}, $S)",
                                codec,
                                TYPE_REFERENCE,
                                resultType,
                                m.rpcMethod())
                        : CodeBlock.of("r -> $T.read(r, $T.class, $S)", codec, resultType, m.rpcMethod());
        String pdoc = paramType == null
                ? ""
                : "\n@param params the parameters" + (session ? " (the session id is filled in)" : "");
        MethodSpec.Builder async = MethodSpec.methodBuilder(name + "Async")
                .addModifiers(Modifier.PUBLIC)
                .returns(ParameterizedTypeName.get(COMPLETABLE_FUTURE, resultType))
                .addJavadoc(
                        "$L\n\n<p>Calls {@code $L}.$L\n@return the result, completed on the client's completion executor\n",
                        doc.isEmpty() ? m.rpcMethod() : doc,
                        m.rpcMethod(),
                        pdoc)
                .addStatement("return caller.callAsync($S, $L).thenApply($L)", m.rpcMethod(), paramsExpr, read);
        MethodSpec.Builder sync = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PUBLIC)
                .returns(isVoid ? TypeName.VOID : resultType)
                .addJavadoc(
                        "$L\n\n<p>Calls {@code $L}, waiting at most the request timeout.$L\n$L",
                        doc.isEmpty() ? m.rpcMethod() : doc,
                        m.rpcMethod(),
                        pdoc,
                        isVoid ? "" : "@return the result\n");
        if (paramType != null) {
            async.addParameter(paramType, "params");
            sync.addParameter(paramType, "params");
        }
        String args = paramType == null ? "" : "params";
        if (isVoid) {
            sync.addStatement("caller.await($NAsync($L), $S)", name, args, m.rpcMethod());
        } else {
            sync.addStatement("return caller.await($NAsync($L), $S)", name, args, m.rpcMethod());
        }
        if (experimental) {
            async.addAnnotation(TypeMapper.EXPERIMENTAL);
            sync.addAnnotation(TypeMapper.EXPERIMENTAL);
        }
        b.addMethod(sync.build());
        b.addMethod(async.build());
    }

    /** {@code RpcSurface}: the schema version, the typed methods per group, and those left out. */
    private TypeSpec surface() {
        TypeSpec.Builder b = TypeSpec.classBuilder("RpcSurface")
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc(
                        "What the generated client covers, as generated from the runtime's schema. Constants only.\n")
                .addMethod(MethodSpec.constructorBuilder()
                        .addModifiers(Modifier.PRIVATE)
                        .build())
                .addField(FieldSpec.builder(
                                String.class, "SCHEMA_VERSION", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc(
                                "The version of the npm package {@code @github/copilot-sdk-linux-x64} whose schemas were used.\n")
                        .initializer("$S", schemaVersion)
                        .build());
        for (String group : List.of("server", "session", "clientSession", "clientGlobal")) {
            List<String> typed = new ArrayList<>();
            List<String> internal = new ArrayList<>();
            for (Method m : methods) {
                if (m.group().equals(group)) {
                    (m.internal() ? internal : typed).add(m.rpcMethod());
                }
            }
            boolean callable = group.equals("server") || group.equals("session");
            String constant = Names.constant(group);
            b.addField(list(
                    constant + (callable ? "_METHODS" : "_REQUESTS"),
                    typed,
                    callable
                            ? "The {@code " + group + "} methods (not internal) that {@code "
                                    + className(group, List.of()) + "} types, by JSON-RPC name."
                            : "The {@code " + group
                                    + "} requests (runtime to client, not internal) of the schema; the client does not"
                                    + " type them yet."));
            b.addField(list(
                    constant + "_INTERNAL",
                    internal,
                    "The {@code " + group + "} methods the schema marks {@code visibility: internal}, left out."));
        }
        return b.build();
    }

    private static FieldSpec list(String name, List<String> values, String doc) {
        CodeBlock.Builder init = CodeBlock.builder().add("$T.of(", List.class);
        for (int i = 0; i < values.size(); i++) {
            init.add(i == 0 ? "\n$S" : ",\n$S", values.get(i));
        }
        init.add(")");
        return FieldSpec.builder(
                        ParameterizedTypeName.get(List.class, String.class),
                        name,
                        Modifier.PUBLIC,
                        Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer(init.build())
                .build();
    }

    static com.palantir.javapoet.JavaFile file(String pkg, TypeSpec t) {
        return com.palantir.javapoet.JavaFile.builder(pkg, t)
                .skipJavaLangImports(true)
                .indent("    ")
                .addFileComment("Generated by copilot-codegen from the runtime's schema. Do not edit.")
                .build();
    }
}
