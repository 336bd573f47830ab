package io.kube4j.cli.api;

import io.kube4j.cli.command.UsageException;

import java.util.ArrayList;
import java.util.List;

/**
 * kubectl's resource arguments: {@code TYPE [NAME...]}, {@code TYPE1,TYPE2 [NAME...]}, or {@code TYPE/NAME...}
 * (not mixed with the first forms). Each {@link Target} is a resource and a name (null: every object).
 */
public final class ResourceArgs {

    private ResourceArgs() {
    }

    /** A resource and one of its objects' name (null: all of them). */
    public record Target(ApiResource resource, String name) {
    }

    public static List<Target> parse(List<String> args, Discovery discovery) {
        if (args.isEmpty()) {
            throw new UsageException("you must specify the type of resource to get. Use \"k4j api-resources\" for a "
                    + "complete list of supported resources");
        }
        List<Target> out = new ArrayList<>();
        if (args.get(0).contains("/")) {
            for (String a : args) {
                int slash = a.indexOf('/');
                if (slash <= 0 || slash == a.length() - 1) {
                    throw new UsageException("there is no need to specify a resource type as a separate argument when "
                            + "passing arguments in resource/name form (e.g. 'k4j get resource/<resource_name>' "
                            + "instead of 'k4j get resource resource/<resource_name>'");
                }
                out.add(new Target(discovery.resolve(a.substring(0, slash)), a.substring(slash + 1)));
            }
            return out;
        }
        List<ApiResource> types = new ArrayList<>();
        for (String t : args.get(0).split(",")) {
            if (t.isBlank()) {
                continue;
            }
            if (t.equals("all") && discovery.find("all").isEmpty()) {
                types.addAll(discovery.category("all"));
            } else {
                types.add(discovery.resolve(t));
            }
        }
        List<String> names = args.subList(1, args.size());
        for (String n : names) {
            if (n.contains("/")) {
                throw new UsageException("there is no need to specify a resource type as a separate argument when "
                        + "passing arguments in resource/name form (e.g. 'k4j get resource/<resource_name>' instead "
                        + "of 'k4j get resource resource/<resource_name>'");
            }
        }
        for (ApiResource r : types) {
            if (names.isEmpty()) {
                out.add(new Target(r, null));
            } else {
                for (String n : names) {
                    out.add(new Target(r, n));
                }
            }
        }
        return out;
    }
}
