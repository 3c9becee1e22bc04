package io.github.copilot4j;

/** The runtime answered a request with a JSON-RPC error. */
public class RpcException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Method not found. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** Invalid params (the runtime also uses it for an unknown session). */
    public static final int INVALID_PARAMS = -32602;
    /** Internal error, e.g. a handler failed. */
    public static final int INTERNAL_ERROR = -32603;
    /** The runtime needs a successful {@code connect} first. */
    public static final int AUTHENTICATION_REQUIRED = -32001;
    /** The connection token was refused. */
    public static final int AUTHENTICATION_FAILED = -32002;

    private final String method;
    private final int code;
    private final String rpcMessage;

    /** Creates the exception for an error answer to {@code method}. */
    public RpcException(String method, int code, String rpcMessage) {
        super(method + " failed: " + rpcMessage + " (JSON-RPC error " + code + ")");
        this.method = method;
        this.code = code;
        this.rpcMessage = rpcMessage;
    }

    /** The JSON-RPC method that failed. */
    public String method() {
        return method;
    }

    /** The JSON-RPC error code the runtime answered. */
    public int code() {
        return code;
    }

    /** The error message the runtime sent. */
    public String rpcMessage() {
        return rpcMessage;
    }
}
