package io.github.copilot4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory byte pipe: one {@link #output()} writer side, one {@link #input()} reader
 * side. Writers block while the buffer is full; readers block while it is empty. Closing either
 * side wakes the other: the reader then sees end-of-stream (after draining), a writer an
 * IOException. Used by in-memory transports and tests.
 */
public final class BytePipe {
    private final byte[] buf;
    private int head;
    private int count;
    private boolean writerClosed;
    private boolean readerClosed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();

    public BytePipe(int capacity) {
        this.buf = new byte[capacity];
    }

    private final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                while (count == 0) {
                    if (writerClosed || readerClosed) {
                        return -1;
                    }
                    notEmpty.await();
                }
                int n = Math.min(len, count);
                for (int i = 0; i < n; i++) {
                    b[off + i] = buf[(head + i) % buf.length];
                }
                head = (head + n) % buf.length;
                count -= n;
                notFull.signalAll();
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the pipe");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return count;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                readerClosed = true;
                notEmpty.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    };

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                while (len > 0) {
                    if (writerClosed) {
                        throw new IOException("pipe closed by the writer");
                    }
                    if (readerClosed) {
                        throw new IOException("pipe closed by the reader (broken pipe)");
                    }
                    if (count == buf.length) {
                        notFull.await();
                        continue;
                    }
                    int n = Math.min(len, buf.length - count);
                    for (int i = 0; i < n; i++) {
                        buf[(head + count + i) % buf.length] = b[off + i];
                    }
                    count += n;
                    off += n;
                    len -= n;
                    notEmpty.signalAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing the pipe");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                writerClosed = true;
                notEmpty.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    };

    public InputStream input() {
        return in;
    }

    public OutputStream output() {
        return out;
    }
}
