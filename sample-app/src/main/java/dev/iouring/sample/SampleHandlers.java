package dev.iouring.sample;

import java.time.InstantSource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iouring.sample.line.UppercaseLineHandler;
import dev.iouring.sample.resp.KeyValueStore;
import dev.iouring.sample.resp.RespHandler;
import dev.iouring.sample.resp.UnfinishedCommands;

/**
 * The handler beans the listeners in application.yml name: {@code respHandler} (mini-Redis, port 6380,
 * and over TLS on 6390) and {@code lineHandler} (upper-casing line service, port 7001). The echo handler
 * is a component (port 7000, and over TLS on 7443).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RespProperties.class)
class SampleHandlers {

	@Bean
	KeyValueStore keyValueStore(RespProperties properties) {
		return new KeyValueStore(properties.getMaxmemory().toBytes(), InstantSource.system());
	}

	@Bean
	UnfinishedCommands unfinishedCommands(RespProperties properties) {
		return new UnfinishedCommands(properties.getCommandTimeout(), properties.getPendingBudget().toBytes());
	}

	@Bean
	RespHandler respHandler(KeyValueStore keyValueStore, RespProperties properties,
			UnfinishedCommands unfinishedCommands) {
		return new RespHandler(keyValueStore, properties.limits(), unfinishedCommands);
	}

	@Bean
	UppercaseLineHandler lineHandler() {
		return new UppercaseLineHandler();
	}

}
