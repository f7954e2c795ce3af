import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import dev.iouring.ring.*;

public class StartupProbe {
	static final ThreadMXBean T = ManagementFactory.getThreadMXBean();
	static long w0, c0;
	static void mark() { w0 = System.nanoTime(); c0 = T.getCurrentThreadCpuTime(); }
	static void lap(String what) {
		long w = System.nanoTime(), c = T.getCurrentThreadCpuTime();
		System.out.printf("%-40s wall %7.1f ms  cpu %7.1f ms%n", what, (w - w0) / 1e6, (c - c0) / 1e6);
		w0 = w; c0 = c;
	}
	public static void main(String[] a) throws Exception {
		mark();
		java.lang.foreign.Linker.nativeLinker();
		lap("Linker.nativeLinker()");
		Class.forName("dev.iouring.ring.LibC", true, StartupProbe.class.getClassLoader());
		lap("LibC static init (all downcall handles)");
		IoUring.availability();
		lap("IoUring.availability() (probe ring)");
		Ring ring = Ring.create(RingOptions.of(4096, 16384));
		lap("Ring.create(4096, 16384)");
		BufferRing buffers = BufferRing.register(ring, 0, 1024, 16384);
		lap("BufferRing.register(1024 x 16 KiB)");
		EventFd fd = EventFd.create();
		lap("EventFd.create()");
		int l1 = Sockets.openListener(new InetSocketAddress("127.0.0.1", 0), 1024);
		lap("Sockets.openListener");
		ring.submit();
		lap("ring.submit()");
		Ring ring2 = Ring.create(RingOptions.of(4096, 16384));
		lap("second Ring.create");
		BufferRing b2 = BufferRing.register(ring2, 0, 1024, 16384);
		lap("second BufferRing.register");
		b2.close(); ring2.close(); buffers.close(); ring.close(); fd.close(); Sockets.close(l1);
		lap("closing");
	}
}
