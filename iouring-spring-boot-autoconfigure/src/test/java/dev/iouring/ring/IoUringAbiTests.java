package dev.iouring.ring;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The binding's struct layouts against the kernel's and the C library's own: a C program compiled here
 * against the installed headers ({@code linux-libc-dev}, {@code libc6-dev}) prints {@code sizeof} and
 * {@code offsetof} for every struct and field the binding uses (and the value of the socket constants
 * that are easy to get wrong), and each must equal what the Java side has. Skipped, with the reason, where no C compiler or headers are installed.
 */
class IoUringAbiTests {

	/** A C expression and the value the Java side has for it. */
	private interface Expectation {

		String c();

		long javaValue();

	}

	/** C expression, the layout, and the field path within it (empty for the struct's size). */
	private record Check(String c, StructLayout layout, String... path) implements Expectation {

		@Override
		public long javaValue() {
			return (this.path.length == 0) ? this.layout.byteSize() : IoUringStructs.offset(this.layout, this.path);
		}

	}

	/** A constant from the headers and the binding's copy of it. */
	private record Constant(String c, long javaValue) implements Expectation {
	}

	private static List<Expectation> checks() {
		List<Expectation> checks = new ArrayList<>();
		checks.add(new Check("sizeof(struct io_uring_params)", IoUringStructs.PARAMS));
		for (String field : List.of("sq_entries", "cq_entries", "flags", "sq_thread_cpu", "sq_thread_idle",
				"features", "wq_fd", "sq_off", "cq_off")) {
			checks.add(new Check("offsetof(struct io_uring_params, " + field + ")", IoUringStructs.PARAMS, field));
		}
		checks.add(new Check("sizeof(struct io_sqring_offsets)", IoUringStructs.SQRING_OFFSETS));
		for (String field : List.of("head", "tail", "ring_mask", "ring_entries", "flags", "dropped", "array")) {
			checks.add(new Check("offsetof(struct io_sqring_offsets, " + field + ")", IoUringStructs.SQRING_OFFSETS,
					field));
		}
		checks.add(new Check("sizeof(struct io_cqring_offsets)", IoUringStructs.CQRING_OFFSETS));
		for (String field : List.of("head", "tail", "ring_mask", "ring_entries", "overflow", "cqes", "flags")) {
			checks.add(new Check("offsetof(struct io_cqring_offsets, " + field + ")", IoUringStructs.CQRING_OFFSETS,
					field));
		}
		checks.add(new Check("sizeof(struct io_uring_sqe)", IoUringStructs.SQE));
		Map<String, String> sqe = new LinkedHashMap<>();
		sqe.put("opcode", "opcode");
		sqe.put("flags", "flags");
		sqe.put("ioprio", "ioprio");
		sqe.put("fd", "fd");
		sqe.put("off", "off");
		sqe.put("addr", "addr");
		sqe.put("len", "len");
		sqe.put("rw_flags", "op_flags");
		sqe.put("msg_flags", "op_flags");
		sqe.put("accept_flags", "op_flags");
		sqe.put("cancel_flags", "op_flags");
		sqe.put("user_data", "user_data");
		sqe.put("buf_index", "buf_index");
		sqe.put("buf_group", "buf_index");
		sqe.put("personality", "personality");
		sqe.put("file_index", "file_index");
		sqe.put("addr3", "addr3");
		sqe.put("__pad2", "__pad2");
		sqe.forEach((c, java) -> checks.add(new Check("offsetof(struct io_uring_sqe, " + c + ")", IoUringStructs.SQE,
				java)));
		checks.add(new Check("sizeof(struct io_uring_cqe)", IoUringStructs.CQE));
		for (String field : List.of("user_data", "res", "flags")) {
			checks.add(new Check("offsetof(struct io_uring_cqe, " + field + ")", IoUringStructs.CQE, field));
		}
		checks.add(new Check("sizeof(struct io_uring_buf)", IoUringStructs.BUF));
		for (String field : List.of("addr", "len", "bid", "resv")) {
			checks.add(new Check("offsetof(struct io_uring_buf, " + field + ")", IoUringStructs.BUF, field));
		}
		checks.add(new Check("offsetof(struct io_uring_buf_ring, tail)", IoUringStructs.BUF, "resv"));
		checks.add(new Check("sizeof(struct io_uring_buf_reg)", IoUringStructs.BUF_REG));
		for (String field : List.of("ring_addr", "ring_entries", "bgid", "resv")) {
			checks.add(new Check("offsetof(struct io_uring_buf_reg, " + field + ")", IoUringStructs.BUF_REG, field));
		}
		checks.add(new Check("sizeof(struct io_uring_rsrc_update)", IoUringStructs.RSRC_UPDATE));
		checks.add(new Check("offsetof(struct io_uring_rsrc_update, offset)", IoUringStructs.RSRC_UPDATE, "offset"));
		checks.add(new Check("offsetof(struct io_uring_rsrc_update, data)", IoUringStructs.RSRC_UPDATE, "data"));
		checks.add(new Check("sizeof(struct io_uring_getevents_arg)", IoUringStructs.GETEVENTS_ARG));
		for (String field : List.of("sigmask", "sigmask_sz", "ts")) {
			checks.add(new Check("offsetof(struct io_uring_getevents_arg, " + field + ")",
					IoUringStructs.GETEVENTS_ARG, field));
		}
		checks.add(new Check("sizeof(struct __kernel_timespec)", IoUringStructs.TIMESPEC));
		checks.add(new Check("offsetof(struct __kernel_timespec, tv_nsec)", IoUringStructs.TIMESPEC, "tv_nsec"));
		checks.add(new Check("sizeof(struct iovec)", SocketStructs.IOVEC));
		checks.add(new Check("offsetof(struct iovec, iov_base)", SocketStructs.IOVEC, "iov_base"));
		checks.add(new Check("offsetof(struct iovec, iov_len)", SocketStructs.IOVEC, "iov_len"));
		checks.add(new Check("sizeof(struct msghdr)", SocketStructs.MSGHDR));
		for (String field : List.of("msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control",
				"msg_controllen", "msg_flags")) {
			checks.add(new Check("offsetof(struct msghdr, " + field + ")", SocketStructs.MSGHDR, field));
		}
		checks.add(new Check("sizeof(struct sockaddr_in)", SocketStructs.SOCKADDR_IN));
		for (String field : List.of("sin_family", "sin_port", "sin_addr", "sin_zero")) {
			checks.add(new Check("offsetof(struct sockaddr_in, " + field + ")", SocketStructs.SOCKADDR_IN, field));
		}
		checks.add(new Check("sizeof(struct sockaddr_in6)", SocketStructs.SOCKADDR_IN6));
		for (String field : List.of("sin6_family", "sin6_port", "sin6_flowinfo", "sin6_addr", "sin6_scope_id")) {
			checks.add(new Check("offsetof(struct sockaddr_in6, " + field + ")", SocketStructs.SOCKADDR_IN6, field));
		}
		checks.add(new Check("sizeof(struct sockaddr_un)", SocketStructs.SOCKADDR_UN));
		checks.add(new Check("offsetof(struct sockaddr_un, sun_family)", SocketStructs.SOCKADDR_UN, "sun_family"));
		checks.add(new Check("offsetof(struct sockaddr_un, sun_path)", SocketStructs.SOCKADDR_UN, "sun_path"));
		checks.add(new Check("sizeof(((struct sockaddr_un *) 0)->sun_path)", MemoryLayout.structLayout(
				MemoryLayout.sequenceLayout(SocketStructs.SUN_PATH_SIZE, ValueLayout.JAVA_BYTE))));
		checks.add(new Check("sizeof(struct ucred)", SocketStructs.UCRED));
		for (String field : List.of("pid", "uid", "gid")) {
			checks.add(new Check("offsetof(struct ucred, " + field + ")", SocketStructs.UCRED, field));
		}
		checks.add(new Constant("AF_UNIX", UnixSockets.AF_UNIX));
		checks.add(new Constant("SO_PEERCRED", UnixSockets.SO_PEERCRED));
		checks.add(new Constant("F_DUPFD_CLOEXEC", UnixSockets.F_DUPFD_CLOEXEC));
		// Every call goes through syscall(), so its number must be this architecture's.
		checks.add(new Constant("SYS_io_uring_setup", LibC.SYS_IO_URING_SETUP));
		checks.add(new Constant("SYS_io_uring_enter", LibC.SYS_IO_URING_ENTER));
		checks.add(new Constant("SYS_io_uring_register", LibC.SYS_IO_URING_REGISTER));
		checks.add(new Constant("SYS_write", LibC.SYS_WRITE));
		checks.add(new Constant("SYS_close", LibC.SYS_CLOSE));
		checks.add(new Constant("SYS_mmap", LibC.SYS_MMAP));
		checks.add(new Constant("SYS_munmap", LibC.SYS_MUNMAP));
		checks.add(new Constant("SYS_madvise", LibC.SYS_MADVISE));
		checks.add(new Constant("SYS_ioctl", LibC.SYS_IOCTL));
		checks.add(new Constant("SYS_fcntl", LibC.SYS_FCNTL));
		checks.add(new Constant("SYS_eventfd2", LibC.SYS_EVENTFD2));
		checks.add(new Constant("SYS_socket", LibC.SYS_SOCKET));
		checks.add(new Constant("SYS_bind", LibC.SYS_BIND));
		checks.add(new Constant("SYS_listen", LibC.SYS_LISTEN));
		checks.add(new Constant("SYS_getsockname", LibC.SYS_GETSOCKNAME));
		checks.add(new Constant("SYS_getpeername", LibC.SYS_GETPEERNAME));
		checks.add(new Constant("SYS_setsockopt", LibC.SYS_SETSOCKOPT));
		checks.add(new Constant("SYS_getsockopt", LibC.SYS_GETSOCKOPT));
		checks.add(new Constant("SYS_shutdown", LibC.SYS_SHUTDOWN));
		checks.add(new Constant("SIOCOUTQ", Sockets.SIOCOUTQ));
		checks.add(new Constant("EFD_CLOEXEC", EventFd.EFD_CLOEXEC));
		checks.add(new Constant("MADV_DONTNEED", Mman.MADV_DONTNEED));
		checks.add(new Constant("MAP_POPULATE", Mman.MAP_POPULATE));
		checks.add(new Constant("MAP_ANONYMOUS", Mman.MAP_ANONYMOUS));
		return checks;
	}

	@Test
	void everyStructSizeAndFieldOffsetMatchesTheInstalledHeaders(@TempDir Path dir) throws Exception {
		Path gcc = Path.of("/usr/bin/gcc");
		assumeThat(gcc).as("gcc (CI installs it with linux-libc-dev)").exists();
		assumeThat(Path.of("/usr/include/linux/io_uring.h")).as("kernel uapi headers (linux-libc-dev)").exists();
		List<Expectation> checks = checks();
		StringBuilder program = new StringBuilder("""
				#define _GNU_SOURCE
				#include <stddef.h>
				#include <stdio.h>
				#include <sys/socket.h>
				#include <sys/uio.h>
				#include <sys/un.h>
				#include <fcntl.h>
				#include <sys/syscall.h>
				#include <sys/eventfd.h>
				#include <sys/mman.h>
				#include <sys/ioctl.h>
				#include <linux/sockios.h>
				#include <netinet/in.h>
				#include <linux/time_types.h>
				#include <linux/io_uring.h>
				int main(void) {
				""");
		for (Expectation check : checks) {
			program.append("\tprintf(\"%zu\\n\", (size_t) (").append(check.c()).append("));\n");
		}
		program.append("\treturn 0;\n}\n");
		Path source = dir.resolve("abi.c");
		Files.writeString(source, program, StandardCharsets.UTF_8);
		Path binary = dir.resolve("abi");
		String compiled = run(dir, gcc.toString(), "-o", binary.toString(), source.toString());
		String[] values = run(dir, binary.toString()).strip().split("\n");
		assertThat(values).as("compiler output: %s", compiled).hasSize(checks.size());
		Map<String, Long> mismatches = new LinkedHashMap<>();
		for (int i = 0; i < checks.size(); i++) {
			long c = Long.parseLong(values[i].strip());
			if (c != checks.get(i).javaValue()) {
				mismatches.put(checks.get(i).c() + " is " + c + ", Java says", checks.get(i).javaValue());
			}
		}
		assertThat(mismatches).isEmpty();
	}

	private static String run(Path dir, String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
		assertThat(process.exitValue()).as("%s exit code; output:%n%s", command[0], output).isZero();
		return output;
	}

}
