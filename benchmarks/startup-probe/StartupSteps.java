import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.core.metrics.StartupStep;

/**
 * Starts the sample with Spring's startup steps recorded, and prints each step's own time (its
 * duration less its children's), largest first, for comparing starts with and without the server.
 *
 * Run against Boot's extracted layout, after building the sample:
 *
 *     java -Djarmode=tools -jar sample-app/target/sample-app-*.jar extract --destination /tmp/ext
 *     java --source 25 -cp /tmp/ext/sample-app-0.1.0-SNAPSHOT.jar benchmarks/startup-probe/StartupSteps.java [ARGS]
 *
 * ARGS are the application's, e.g. --iouring.server.enabled=false. It exits once started.
 */
public class StartupSteps {

	public static void main(String[] args) throws Exception {
		SpringApplication application = new SpringApplication(Class.forName("dev.iouring.sample.SampleApplication"));
		BufferingApplicationStartup startup = new BufferingApplicationStartup(100_000);
		application.setApplicationStartup(startup);
		long launched = System.nanoTime();
		var context = application.run(args);
		long total = System.nanoTime() - launched;
		StartupTimeline timeline = startup.getBufferedTimeline();
		Map<Long, Long> childTime = new HashMap<>();
		for (StartupTimeline.TimelineEvent event : timeline.getEvents()) {
			Long parent = event.getStartupStep().getParentId();
			if (parent != null) {
				childTime.merge(parent, event.getDuration().toNanos(), Long::sum);
			}
		}
		Map<String, Long> self = new HashMap<>();
		for (StartupTimeline.TimelineEvent event : timeline.getEvents()) {
			StartupStep step = event.getStartupStep();
			long own = event.getDuration().toNanos() - childTime.getOrDefault(step.getId(), 0L);
			self.merge(label(step), own, Long::sum);
		}
		List<Map.Entry<String, Long>> sorted = new ArrayList<>(self.entrySet());
		sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
		System.out.printf("# total run() %d ms%n", Duration.ofNanos(total).toMillis());
		for (Map.Entry<String, Long> entry : sorted) {
			if (entry.getValue() >= 1_000_000L) {
				System.out.printf("%8.1f ms  %s%n", entry.getValue() / 1e6, entry.getKey());
			}
		}
		context.close();
		System.exit(0);
	}

	private static String label(StartupStep step) {
		StringBuilder label = new StringBuilder(step.getName());
		for (StartupStep.Tag tag : step.getTags()) {
			if (tag.getKey().equals("beanName") || tag.getKey().equals("postProcessor")) {
				label.append(' ').append(tag.getValue());
			}
		}
		return label.toString();
	}

}
