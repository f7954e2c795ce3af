import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import static java.lang.foreign.ValueLayout.*;

public class HandleProbe {
	static final ThreadMXBean T = ManagementFactory.getThreadMXBean();
	static long w0, c0;
	static void lap(String what) {
		long w = System.nanoTime(), c = T.getCurrentThreadCpuTime();
		System.out.printf("%-34s wall %7.1f ms  cpu %7.1f ms%n", what, (w - w0) / 1e6, (c - c0) / 1e6);
		w0 = System.nanoTime(); c0 = T.getCurrentThreadCpuTime();
	}
	static Linker L; static SymbolLookup S;
	static MethodHandle link(String name, FunctionDescriptor d, Linker.Option... o) { return L.downcallHandle(S.find(name).orElseThrow(), d, o); }
	public static void main(String[] a) throws Throwable {
		w0 = System.nanoTime(); c0 = T.getCurrentThreadCpuTime();
		L = Linker.nativeLinker(); S = L.defaultLookup();
		Linker.Option E = Linker.Option.captureCallState("errno"), C = Linker.Option.critical(false);
		lap("linker + lookup");
		boolean plain = a.length > 0 && a[0].equals("plain");
		Linker.Option[] opts = plain ? new Linker.Option[0] : new Linker.Option[] { E, C };
		MethodHandle close = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), opts);
		lap("1st: close (I,I)");
		MethodHandle socket = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), opts);
		lap("2nd: socket (I,III)");
		MethodHandle listen = link("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), opts);
		lap("3rd: listen (I,II)");
		MethodHandle shutdown = link("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), opts);
		lap("4th: shutdown (I,II) same shape");
		MethodHandle mmap = link("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), opts);
		lap("5th: mmap");
		MethodHandle ss = link("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), opts);
		lap("6th: setsockopt");
		MethodHandle w = link("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), opts);
		lap("7th: write");
		MemorySegment cap = Arena.global().allocate(Linker.Option.captureStateLayout());
		lap("capture alloc");
		int r = plain ? (int) close.invokeExact(-1) : (int) close.invokeExact(cap, -1);
		lap("first invoke of close");
		r = plain ? (int) listen.invokeExact(-1, 1) : (int) listen.invokeExact(cap, -1, 1);
		lap("first invoke of listen");
	}
}
