package dev.iouring.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample: an io_uring echo server on port 7000, a RESP mini-Redis on 6380 and a line service on
 * 7001, with Actuator on 8080.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
