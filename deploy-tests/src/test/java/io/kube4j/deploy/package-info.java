/**
 * Tests of kube4j's deployments: {@code compose} (the Docker images and the docker-compose demo cluster) and
 * {@code helm} (the chart rendered by Helm's engine and validated against kube4j's apiserver).
 */
package io.kube4j.deploy;
