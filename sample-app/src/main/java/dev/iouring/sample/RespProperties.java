package dev.iouring.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import dev.iouring.sample.resp.KeyValueStore;
import dev.iouring.sample.resp.RespLimits;

/**
 * The mini-Redis's bounds, bound from {@code sample.resp.*}. They keep what one hostile or broken
 * client can make the server hold small; Redis's own equivalents are far larger.
 */
@ConfigurationProperties("sample.resp")
public class RespProperties {

	/**
	 * Used-memory figure (keys and values, with an estimate of what holds them) past which commands that
	 * may add data are refused with Redis's OOM error; reads and deletes still work. 0 means no limit.
	 */
	private DataSize maxmemory = DataSize.ofBytes(KeyValueStore.DEFAULT_MAX_MEMORY);

	/**
	 * Most bytes of received, not yet executed commands one connection may hold: an unfinished command
	 * (past it: a protocol error and a close), or the pipeline kept while the client does not read its
	 * replies (past it: the connection is dropped, as Redis drops a client over its query buffer limit).
	 */
	private DataSize maxPendingBytes = DataSize.ofBytes(RespLimits.DEFAULTS.maxCommandLength());

	/**
	 * Longest bulk string (a key or value) in a command; must leave room in max-pending-bytes for the
	 * rest of the command. A longer one gets "invalid bulk length" and the connection is closed.
	 */
	private DataSize maxBulkLength = DataSize.ofBytes(RespLimits.DEFAULTS.maxBulkLength());

	/**
	 * Longest a command may take to arrive, from its first byte to its last; past it the connection is
	 * closed. The RESP listeners parse their own bytes, so a listener's frame-timeout does not apply, and
	 * their idle timeout restarts with every byte a trickling peer sends. 0 means no limit.
	 */
	private Duration commandTimeout = Duration.ofSeconds(10);

	/**
	 * Most bytes of received, not yet executed commands all mini-Redis connections together may hold
	 * (max-pending-bytes is per connection); a connection that would go past it is closed, as Redis
	 * closes a client over its query buffer limit. 0 means no limit.
	 */
	private DataSize pendingBudget = DataSize.ofMegabytes(64);

	public DataSize getMaxmemory() {
		return this.maxmemory;
	}

	public void setMaxmemory(DataSize maxmemory) {
		this.maxmemory = maxmemory;
	}

	public DataSize getMaxPendingBytes() {
		return this.maxPendingBytes;
	}

	public void setMaxPendingBytes(DataSize maxPendingBytes) {
		this.maxPendingBytes = maxPendingBytes;
	}

	public DataSize getMaxBulkLength() {
		return this.maxBulkLength;
	}

	public void setMaxBulkLength(DataSize maxBulkLength) {
		this.maxBulkLength = maxBulkLength;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public DataSize getPendingBudget() {
		return this.pendingBudget;
	}

	public void setPendingBudget(DataSize pendingBudget) {
		this.pendingBudget = pendingBudget;
	}

	/**
	 * Returns the request bounds these properties describe.
	 * @return the limits for the RESP handler
	 */
	public RespLimits limits() {
		int pending = Math.toIntExact(this.maxPendingBytes.toBytes());
		// An inline command line (64 KiB, as Redis) is shortened when it could not fit in the pending bytes.
		int inline = Math.max(1, Math.min(RespLimits.DEFAULTS.maxInlineLength(), pending - 2));
		return new RespLimits(RespLimits.DEFAULTS.maxArguments(), Math.toIntExact(this.maxBulkLength.toBytes()),
				inline, pending);
	}

}
