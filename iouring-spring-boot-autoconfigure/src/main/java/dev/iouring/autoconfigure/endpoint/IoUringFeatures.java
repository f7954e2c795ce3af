package dev.iouring.autoconfigure.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.FeatureDescriptor;
import dev.iouring.ring.Features;
import dev.iouring.ring.IoUring;
import dev.iouring.ring.Opcode;
import dev.iouring.server.LoopStats;
import dev.iouring.server.TcpServer;

/**
 * Which io_uring features this kernel offers and which ones the running server uses, worked out from
 * what is reachable outside the event loops: the availability probe (kernel release, feature bits,
 * opcode probe), the setup flags each loop's ring was granted, and the transport's name.
 *
 * <p>Some facts have no probe bit, so they come from the kernel release (each
 * {@link FeatureDescriptor#basis()} says how); whether a loop registered its ring fd is known only to the loop,
 * so {@code registeredRingFd} reports {@code used} as {@code null}.
 */
final class IoUringFeatures {

	/** The io_uring transport's name, from {@code IoUringServer#transport()}. */
	static final String IO_URING = "io_uring";

	private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)");

	private IoUringFeatures() {
	}

	static Map<String, FeatureDescriptor> of(IoUring.Availability availability, TcpServer server) {
		boolean ring = IO_URING.equals(server.transport());
		boolean available = availability.available();
		List<Integer> opcodes = availability.supportedOpcodes();
		Map<String, FeatureDescriptor> features = new LinkedHashMap<>();
		features.put("multishotAccept", new FeatureDescriptor(available && opcodes.contains(Opcode.ACCEPT), ring,
				"ACCEPT in the opcode probe; multishot needs Linux 5.19 and the io_uring transport 6.1"));
		features.put("multishotRecv", new FeatureDescriptor(available && opcodes.contains(Opcode.RECV), ring,
				"RECV in the opcode probe; multishot needs Linux 6.0 and the io_uring transport 6.1"));
		features.put("bufferRings", new FeatureDescriptor(available, ring,
				"provided-buffer rings need Linux 5.19; every io_uring loop registers one"));
		features.put("incrementalBuffers", new FeatureDescriptor(available && atLeast(availability.kernelRelease(), 6, 12),
				false, "kernel release 6.12 or later (IOU_PBUF_RING_INC has no probe bit); the server registers "
						+ "plain buffer rings"));
		features.put("bundles", new FeatureDescriptor(availability.features().contains(featureName(Features.RECVSEND_BUNDLE)),
				false, "IORING_FEAT_RECVSEND_BUNDLE; the server receives one buffer per completion"));
		features.put("sendZc", new FeatureDescriptor(available && opcodes.contains(Opcode.SEND_ZC), false,
				"SEND_ZC in the opcode probe; the server sends with SEND and SENDMSG"));
		features.put("registeredRingFd", new FeatureDescriptor(available && atLeast(availability.kernelRelease(), 5, 18), null,
				"IORING_REGISTER_RING_FDS needs Linux 5.18; whether a ring registered its fd is held by its loop "
						+ "and not exposed by the server"));
		features.put("sqpoll", new FeatureDescriptor(available, ring && usesSqpoll(server.loopStats()),
				"SQPOLL among the setup flags each loop's ring was granted (iouring.ring.sqpoll asks for it)"));
		return features;
	}

	private static boolean usesSqpoll(List<LoopStats> loops) {
		return loops.stream().anyMatch((loop) -> loop.setupFlagNames().contains("SQPOLL"));
	}

	private static String featureName(int feature) {
		return Features.names(feature).getFirst();
	}

	static boolean atLeast(String kernelRelease, int major, int minor) {
		Matcher matcher = RELEASE.matcher(kernelRelease);
		if (!matcher.find()) {
			return false;
		}
		int actualMajor = Integer.parseInt(matcher.group(1));
		int actualMinor = Integer.parseInt(matcher.group(2));
		return actualMajor > major || (actualMajor == major && actualMinor >= minor);
	}

}
