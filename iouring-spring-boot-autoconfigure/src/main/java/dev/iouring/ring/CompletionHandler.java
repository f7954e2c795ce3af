package dev.iouring.ring;

/**
 * Receives completions reaped by {@link CompletionQueue#reap(CompletionHandler)}, one call per CQE, on the ring's
 * thread. Primitive parameters keep reaping free of allocation.
 */
@FunctionalInterface
public interface CompletionHandler {

	/**
	 * One completion.
	 * @param userData the {@code user_data} of the request
	 * @param res the result: a count or descriptor, or a negated errno
	 * @param flags the {@code IORING_CQE_F_*} flags (see {@link Cqe})
	 */
	void onCompletion(long userData, int res, int flags);

}
