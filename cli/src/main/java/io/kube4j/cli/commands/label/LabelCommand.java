package io.kube4j.cli.commands.label;

import org.springframework.stereotype.Component;

/** {@code k4j label TYPE NAME key=value key2- [--overwrite]}: see {@link MetadataMapCommand}. */
@Component
public class LabelCommand extends MetadataMapCommand {

    LabelCommand() {
        super("label", "Update the labels on a resource", "labels", "labeled");
    }

    @Override
    protected String examples() {
        return """
                  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
                  k4j label pods foo unhealthy=true

                  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
                  k4j label --overwrite pods foo status=unhealthy

                  # Update all pods in the namespace
                  k4j label pods --all status=unhealthy

                  # Remove the label named 'bar' from pod 'foo'
                  k4j label pods foo bar-
                """;
    }
}
