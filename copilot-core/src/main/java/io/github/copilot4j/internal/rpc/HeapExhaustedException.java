package io.github.copilot4j.internal.rpc;

import java.io.IOException;

/**
 * The reader thread ran out of heap ({@link OutOfMemoryError}) while reading or parsing one frame:
 * its message names the frame size, the max heap, {@code maxFrameBytes} and the next step. The
 * connection is closed with it as the cause. Immutable.
 */
final class HeapExhaustedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param frameLength the frame's Content-Length, or -1 when not inside a frame */
    HeapExhaustedException(long frameLength, int maxFrameBytes, OutOfMemoryError cause) {
        super(describe(frameLength, maxFrameBytes), cause);
    }

    private static String describe(long frameLength, int maxFrameBytes) {
        long heapMiB = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        return (frameLength >= 0
                        ? "a frame of " + frameLength + " bytes from the Copilot runtime"
                        : "a message from the Copilot runtime")
                + " did not fit in this JVM's heap (OutOfMemoryError; max heap " + heapMiB + " MiB, maxFrameBytes "
                + maxFrameBytes + "); the connection was closed. Next step: give the JVM more heap (-Xmx), or lower "
                + "CopilotClient.Builder.maxFrameBytes so that such a frame is refused before it is read";
    }
}
