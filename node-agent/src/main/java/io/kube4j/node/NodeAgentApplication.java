package io.kube4j.node;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** kube4j's node agent (the kubelet): registers a Node and runs the pods bound to it on Docker. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NodeAgentApplication {

    public static void main(String[] args) {
        SpringApplication.run(NodeAgentApplication.class, args);
    }
}
