/**
 * kube4j's client: {@link io.kube4j.client.KubeClient} (one per process and apiserver) hands out a typed, reactive
 * {@link io.kube4j.client.ResourceClient} per resource.
 *
 * <p>Behaviour worth knowing:
 * <ul>
 *   <li>Errors are {@link io.kube4j.client.ApiStatusException}s built from the server's Status; a request without an
 *   answer within {@code ClientConfig.requestTimeout} fails with code 504. Plain requests are not retried.</li>
 *   <li>{@code get}/{@code delete}/{@code patch} with a null namespace use the config's default namespace;
 *   {@code list}/{@code watch} with a null namespace span all namespaces.</li>
 *   <li>{@code watch} without a resourceVersion (null or "0") first LISTs and emits the items as ADDED events carrying
 *   the list's resourceVersion, then watches from it. Dropped connections, 5xx/429 answers and server-ended streams
 *   (timeoutSeconds) are resumed with {@code Last-Event-ID} = the last event's id after a jittered backoff
 *   (100 ms to 5 s; a normal end resumes after 20-100 ms), forever; other 4xx answers and every ERROR event end the
 *   flux ({@link io.kube4j.client.ApiStatusException.Gone} for 410: relist). Closing the KubeClient completes its
 *   watches.</li>
 *   <li>{@code updateWithRetry} re-gets and re-applies the mutation on Conflict, up to 16 attempts with jittered
 *   backoff, then fails with the last Conflict; a mutation returning null writes nothing.</li>
 * </ul>
 */
package io.kube4j.client;
