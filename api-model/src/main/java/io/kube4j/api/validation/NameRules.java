package io.kube4j.api.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The string-format checks of apimachinery's {@code util/validation}, returning Kubernetes' own
 * messages (an empty list means valid).
 */
public final class NameRules {

    public static final int DNS1123_LABEL_MAX = 63;
    public static final int DNS1123_SUBDOMAIN_MAX = 253;
    public static final int LABEL_VALUE_MAX = 63;
    public static final int QUALIFIED_NAME_MAX = 63;

    private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    private static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE_FMT = "(" + QNAME_FMT + ")?";
    private static final String CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";

    private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
    private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_LABEL_FMT);
    private static final Pattern QNAME = Pattern.compile(QNAME_FMT);
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
    private static final Pattern CONFIG_KEY = Pattern.compile(CONFIG_KEY_FMT);
    private static final Pattern PORT_NAME_CHARSET = Pattern.compile("[-a-z0-9]+");
    private static final Pattern HAS_LETTER = Pattern.compile(".*[a-z].*");
    private static final Pattern PERCENT = Pattern.compile("[0-9]+%");

    private static final String QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character";

    private NameRules() {
    }

    public static List<String> dns1123Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX) {
            errs.add(maxLen(DNS1123_LABEL_MAX));
        }
        if (!DNS1123_LABEL.matcher(value).matches()) {
            errs.add(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    + "and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, "my-name", "123-abc"));
        }
        return errs;
    }

    public static List<String> dns1123Subdomain(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX) {
            errs.add(maxLen(DNS1123_SUBDOMAIN_MAX));
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errs.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    public static List<String> dns1035Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX) {
            errs.add(maxLen(DNS1123_LABEL_MAX));
        }
        if (!DNS1035_LABEL.matcher(value).matches()) {
            errs.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                    + "start with an alphabetic character, and end with an alphanumeric character",
                    DNS1035_LABEL_FMT, "my-name", "abc-123"));
        }
        return errs;
    }

    /** A name that can be a single segment of a URL path (RBAC objects): not {@code .}/{@code ..}, no {@code /} or {@code %}. */
    public static List<String> pathSegmentName(String value) {
        List<String> errs = new ArrayList<>();
        if (value.equals(".") || value.equals("..")) {
            errs.add("may not be '" + value + "'");
        }
        for (String bad : List.of("/", "%")) {
            if (value.contains(bad)) {
                errs.add("may not contain '" + bad + "'");
            }
        }
        return errs;
    }

    /** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
    public static List<String> qualifiedName(String value) {
        List<String> errs = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                String prefix = parts[0];
                name = parts[1];
                if (prefix.isEmpty()) {
                    errs.add("prefix part must be non-empty");
                } else {
                    for (String m : dns1123Subdomain(prefix)) {
                        errs.add("prefix part " + m);
                    }
                }
            }
            default -> {
                errs.add("a qualified name " + regexError(QNAME_MSG, QNAME_FMT, "MyName", "my.name", "123-abc")
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
            }
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (name.length() > QUALIFIED_NAME_MAX) {
            errs.add("name part " + maxLen(QUALIFIED_NAME_MAX));
        }
        if (!QNAME.matcher(name).matches()) {
            errs.add("name part " + regexError(QNAME_MSG, QNAME_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    public static List<String> labelValue(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > LABEL_VALUE_MAX) {
            errs.add(maxLen(LABEL_VALUE_MAX));
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errs.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character", LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    /** An IANA_SVC_NAME: at most 15 of {@code [-a-z0-9]}, at least one letter, no {@code --}, no hyphen at either end. */
    public static List<String> portName(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > 15) {
            errs.add(maxLen(15));
        }
        if (!PORT_NAME_CHARSET.matcher(value).matches()) {
            errs.add("must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!HAS_LETTER.matcher(value).matches()) {
            errs.add("must contain at least one letter (a-z)");
        }
        if (value.contains("--")) {
            errs.add("must not contain consecutive hyphens");
        }
        if (!value.isEmpty() && (value.startsWith("-") || value.endsWith("-"))) {
            errs.add("must not begin or end with a hyphen");
        }
        return errs;
    }

    public static List<String> portNumber(int port) {
        return port >= 1 && port <= 65535 ? List.of() : List.of(inclusiveRange(1, 65535));
    }

    /** A ConfigMap or Secret data key. */
    public static List<String> configMapKey(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX) {
            errs.add(maxLen(DNS1123_SUBDOMAIN_MAX));
        }
        if (!CONFIG_KEY.matcher(value).matches()) {
            errs.add(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                    CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
        }
        if (value.equals(".")) {
            errs.add("must not be '.'");
        } else if (value.equals("..")) {
            errs.add("must not be '..'");
        } else if (value.startsWith("..")) {
            errs.add("must not start with '..'");
        }
        return errs;
    }

    /** Kubernetes' relaxed environment variable names (the default since 1.32). */
    public static List<String> envVarName(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 32 || c > 126 || c == '=') {
                return List.of("a valid environment variable name must consist only of printable ASCII characters other than '='");
            }
        }
        return List.of();
    }

    /** A percentage such as {@code 25%}. */
    public static boolean isPercent(String value) {
        return PERCENT.matcher(value).matches();
    }

    public static String percentError() {
        return regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%");
    }

    /** An IPv4 dotted quad (no leading zeros) or an IPv6 address, without zone. */
    public static boolean isIp(String value) {
        return isIpv4(value) || isIpv6(value);
    }

    public static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    public static boolean isIpv6(String s) {
        if (!s.contains(":") || s.contains("%")) {
            return false;
        }
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) {
            return false;
        }
        String head = dc >= 0 ? s.substring(0, dc) : s;
        String tail = dc >= 0 ? s.substring(dc + 2) : "";
        List<String> groups = new ArrayList<>();
        if (!head.isEmpty()) {
            groups.addAll(List.of(head.split(":", -1)));
        }
        if (!tail.isEmpty()) {
            groups.addAll(List.of(tail.split(":", -1)));
        }
        int count = 0;
        for (int i = 0; i < groups.size(); i++) {
            String g = groups.get(i);
            if (i == groups.size() - 1 && g.contains(".")) {
                if (!isIpv4(g)) {
                    return false;
                }
                count += 2;
                continue;
            }
            if (g.isEmpty() || g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return false;
            }
            count++;
        }
        return dc >= 0 ? count < 8 : count == 8;
    }

    public static String maxLen(int n) {
        return "must be no more than " + n + " characters";
    }

    public static String inclusiveRange(long lo, long hi) {
        return "must be between " + lo + " and " + hi + ", inclusive";
    }

    static String regexError(String msg, String fmt, String... examples) {
        StringBuilder b = new StringBuilder(msg);
        if (examples.length == 0) {
            return b.append(" (regex used for validation is '").append(fmt).append("')").toString();
        }
        b.append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                b.append(" or ");
            }
            b.append('\'').append(examples[i]).append("', ");
        }
        return b.append("regex used for validation is '").append(fmt).append("')").toString();
    }
}
