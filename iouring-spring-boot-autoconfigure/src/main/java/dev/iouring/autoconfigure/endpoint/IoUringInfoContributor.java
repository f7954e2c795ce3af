package dev.iouring.autoconfigure.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import dev.iouring.ring.IoUring;
import dev.iouring.server.TcpServer;

/**
 * Adds an {@code iouring} section to {@code /actuator/info}: transport, kernel release, whether io_uring
 * works here (and why not), the setup flags granted to the rings, and which features the kernel offers.
 * Static facts only; live figures are in the {@code iouring} endpoint and the meters.
 */
public class IoUringInfoContributor implements InfoContributor {

	private final TcpServer server;

	/**
	 * Creates the contributor.
	 * @param server the server to describe
	 */
	public IoUringInfoContributor(TcpServer server) {
		this.server = server;
	}

	@Override
	public void contribute(Info.Builder builder) {
		IoUring.Availability availability = IoUring.availability();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("transport", this.server.transport());
		details.put("kernel", availability.kernelRelease());
		details.put("ioUringAvailable", availability.available());
		if (!availability.available()) {
			details.put("unavailableCause", availability.cause());
		}
		details.put("setupFlags", this.server.loopStats().isEmpty() ? availability.setupFlags()
				: this.server.loopStats().getFirst().setupFlagNames());
		Map<String, Boolean> features = new LinkedHashMap<>();
		IoUringFeatures.of(availability, this.server).forEach((name, feature) -> features.put(name, feature.supported()));
		details.put("kernelFeatures", features);
		builder.withDetail("iouring", details);
	}

}
