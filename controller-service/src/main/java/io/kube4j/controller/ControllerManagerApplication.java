package io.kube4j.controller;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * kube4j's controller manager: one leader-elected process running the reconcile loops (ReplicaSet, Deployment,
 * Endpoints, Namespace, garbage collector, node lifecycle, ...) that converge the cluster to its desired state.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ControllerManagerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ControllerManagerApplication.class, args);
    }
}
