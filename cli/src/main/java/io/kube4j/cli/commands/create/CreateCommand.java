package io.kube4j.cli.commands.create;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Manifests;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.ApplyCommand;
import io.kube4j.cli.commands.apply.Targets;
import io.kube4j.cli.commands.apply.WriteOutput;
import io.kube4j.client.ApiStatusException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code k4j create -f FILE|DIR|-}: POSTs every object of the manifests; an object that exists already is kubectl's
 * {@code AlreadyExists} error (exit 1) and the other objects are still created. The generators are
 * {@code create namespace|deployment|service ...} (their own commands).
 */
@Component
public class CreateCommand extends KubeCommand {

    CreateCommand() {
        super("create", "Create a resource from a file or from stdin");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.repeated("-f, --filename", "FILE", "Filename, directory, or URL to files to use to create the resource");
        b.bool("-R, --recursive", "Process the directory used in -f, --filename recursively");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.bool("--save-config", "If true, the configuration of the object is saved in its last-applied annotation.");
        b.positionals("", "");
    }

    @Override
    protected String examples() {
        return """
                  # Create a pod using the data in pod.json
                  k4j create -f ./pod.json

                  # Create a deployment, a namespace, a service, a config map, a secret, a service account
                  k4j create deployment web --image=nginx --replicas=2
                  k4j create namespace team-a
                  k4j create service clusterip web --tcp=80:8080
                  k4j create configmap settings --from-literal=mode=fast
                  k4j create secret generic creds --from-literal=password=s3cret
                  k4j create serviceaccount robot

                Available generators: namespace, deployment, service clusterip, service nodeport, configmap,
                secret generic, serviceaccount, job, cronjob
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (!inv.args().isEmpty()) {
            throw new UsageException("unknown command \"" + inv.args().get(0) + "\" for \"k4j create\"");
        }
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);
        List<Manifests.Document> docs = Manifests.read(inv.flags().repeated("filename"),
                inv.flags().bool("recursive"), inv.io());
        boolean failed = false;
        for (Manifests.Document doc : docs) {
            try {
                ApiResource r = Targets.resourceOf(inv, doc);
                String ns = Targets.namespaceOf(inv, r, doc);
                ObjectNode o = inv.flags().bool("save-config") ? ApplyCommand.lastAppliedOf(doc.object())
                        : doc.object();
                ObjectNode created = dry == WriteOutput.DryRun.CLIENT ? o
                        : WriteOutput.rest(inv).create(r, ns, o, dry.query());
                WriteOutput.print(inv, format, r, created, "created", dry);
            } catch (ApiStatusException e) {
                inv.err().println(WriteOutput.errorWhen(e, "creating", doc.source()));
                failed = true;
            } catch (CliException e) {
                inv.err().println("error: " + e.getMessage());
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
