package io.kube4j.cli.commands.label;

import org.springframework.stereotype.Component;

/** {@code k4j annotate TYPE NAME key=value key2- [--overwrite]}: see {@link MetadataMapCommand}. */
@Component
public class AnnotateCommand extends MetadataMapCommand {

    AnnotateCommand() {
        super("annotate", "Update the annotations on a resource", "annotations", "annotated");
    }

    @Override
    protected String examples() {
        return """
                  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
                  k4j annotate pods foo description='my frontend'

                  # Remove the annotation named 'description' from pod 'foo'
                  k4j annotate pods foo description-
                """;
    }
}
