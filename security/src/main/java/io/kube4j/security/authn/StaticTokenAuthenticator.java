package io.kube4j.security.authn;

import io.kube4j.security.UserInfo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Kubernetes' static token file ({@code --token-auth-file}): CSV lines {@code token,user,uid[,"group1,group2"]},
 * reloaded when the file changes. A bearer token not in the file is no opinion (a later authenticator may know
 * it).
 */
public final class StaticTokenAuthenticator {

    private final Supplier<Map<String, UserInfo>> tokens;

    public StaticTokenAuthenticator(Supplier<Map<String, UserInfo>> tokens) {
        this.tokens = tokens;
    }

    public static StaticTokenAuthenticator fromFile(Path file) {
        ReloadingFile<Map<String, UserInfo>> f = new ReloadingFile<>(file, bytes -> parse(file.toString(), bytes));
        return new StaticTokenAuthenticator(f::get);
    }

    public Optional<UserInfo> authenticate(String token) {
        return token == null || token.isEmpty() ? Optional.empty() : Optional.ofNullable(tokens.get().get(token));
    }

    /** Parses a token file; the errors are Kubernetes'. */
    public static Map<String, UserInfo> parse(String name, byte[] content) {
        Map<String, UserInfo> out = new HashMap<>();
        int lineNo = 0;
        for (String line : new String(content, StandardCharsets.UTF_8).split("\r?\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            List<String> record = csv(line, name, lineNo);
            if (record.size() < 3) {
                throw new IllegalArgumentException("token file '" + name + "' must have at least 3 columns (token, user name, user uid), found "
                        + record.size());
            }
            if (record.get(0).isEmpty()) {
                continue; // Kubernetes warns and skips an empty token
            }
            List<String> groups = record.size() >= 4 && !record.get(3).isEmpty()
                    ? Arrays.asList(record.get(3).split(",")) : List.of();
            out.put(record.get(0), new UserInfo(record.get(1), record.get(2), groups, Map.of()));
        }
        return Map.copyOf(out);
    }

    /** One CSV record (RFC 4180 quoting, leading spaces trimmed as Go's reader with TrimLeadingSpace). */
    static List<String> csv(String line, String name, int lineNo) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            StringBuilder f = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("token file '" + name + "' line " + lineNo + ": extraneous or missing \" in quoted-field");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new IllegalArgumentException("token file '" + name + "' line " + lineNo + ": extraneous or missing \" in quoted-field");
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    f.append(line.charAt(i++));
                }
            }
            fields.add(f.toString());
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }
}
