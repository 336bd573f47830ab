package io.kube4j.api.selector;

import io.kube4j.api.selector.LabelSelector.Operator;
import io.kube4j.api.selector.LabelSelector.Requirement;

import java.util.ArrayList;
import java.util.List;

/** A recursive-descent parser for the label-selector query syntax, after {@code labels.Parser}. */
final class LabelSelectorParser {

    private enum Kind { IDENT, BANG, NOT_EQUALS, EQUALS, DOUBLE_EQUALS, GT, LT, OPEN, CLOSE, COMMA, IN, NOT_IN, END }

    private record Token(Kind kind, String text) {
    }

    private final String input;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    LabelSelectorParser(String input) {
        this.input = input;
        lex();
    }

    List<Requirement> parse() {
        List<Requirement> out = new ArrayList<>();
        while (true) {
            out.add(requirement());
            Token t = next();
            if (t.kind == Kind.END) {
                return out;
            }
            if (t.kind != Kind.COMMA) {
                throw error("found '" + t.text + "', expected: ',' or end of string");
            }
            if (peek().kind == Kind.END) {
                throw error("found end of string after ',', expected: a requirement");
            }
        }
    }

    private Requirement requirement() {
        Operator op = null;
        if (peek().kind == Kind.BANG) {
            next();
            op = Operator.DOES_NOT_EXIST;
        }
        Token key = next();
        if (key.kind != Kind.IDENT) {
            throw error("found '" + key.text + "', expected: identifier");
        }
        if (op == Operator.DOES_NOT_EXIST) {
            return wrap(key.text, op, List.of());
        }
        Kind after = peek().kind;
        if (after == Kind.END || after == Kind.COMMA) {
            return wrap(key.text, Operator.EXISTS, List.of());
        }
        Token opTok = next();
        op = switch (opTok.kind) {
            case EQUALS, DOUBLE_EQUALS -> Operator.EQUALS;
            case NOT_EQUALS -> Operator.NOT_EQUALS;
            case IN -> Operator.IN;
            case NOT_IN -> Operator.NOT_IN;
            case GT -> Operator.GREATER_THAN;
            case LT -> Operator.LESS_THAN;
            default -> throw error("found '" + opTok.text + "', expected: in, notin, =, ==, !=, gt, lt");
        };
        List<String> values = new ArrayList<>();
        if (op == Operator.IN || op == Operator.NOT_IN) {
            Token open = next();
            if (open.kind != Kind.OPEN) {
                throw error("found '" + open.text + "', expected: '('");
            }
            if (peek().kind == Kind.CLOSE) {
                next();
                values.add(""); // "()" is the set holding the empty value, as in Kubernetes
            } else {
                while (true) {
                    Token v = next();
                    if (v.kind == Kind.COMMA || v.kind == Kind.CLOSE) {
                        values.add(""); // an empty item, e.g. "(a,)"
                    } else if (v.kind == Kind.IDENT || v.kind == Kind.IN || v.kind == Kind.NOT_IN) {
                        values.add(v.text);
                        v = next();
                    } else {
                        throw error("found '" + v.text + "', expected: ',', ')' or identifier");
                    }
                    if (v.kind == Kind.CLOSE) {
                        break;
                    }
                    if (v.kind != Kind.COMMA) {
                        throw error("found '" + v.text + "', expected: ',' or ')'");
                    }
                }
            }
        } else {
            Kind k = peek().kind;
            if (k == Kind.END || k == Kind.COMMA) {
                values.add("");
            } else if (k == Kind.IDENT || k == Kind.IN || k == Kind.NOT_IN) {
                values.add(next().text);
            } else {
                throw error("found '" + peek().text + "', expected: identifier");
            }
        }
        return wrap(key.text, op, values);
    }

    private Requirement wrap(String key, Operator op, List<String> values) {
        try {
            return LabelSelector.requirement(key, op, values);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind != Kind.END) {
            pos++;
        }
        return t;
    }

    private IllegalArgumentException error(String detail) {
        return new IllegalArgumentException("unable to parse label selector \"" + input + "\": " + detail);
    }

    private void lex() {
        int i = 0;
        int n = input.length();
        while (i < n) {
            char c = input.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            String two = i + 1 < n ? input.substring(i, i + 2) : "";
            switch (c) {
                case '!' -> {
                    if (two.equals("!=")) {
                        tokens.add(new Token(Kind.NOT_EQUALS, "!="));
                        i += 2;
                    } else {
                        tokens.add(new Token(Kind.BANG, "!"));
                        i++;
                    }
                }
                case '=' -> {
                    if (two.equals("==")) {
                        tokens.add(new Token(Kind.DOUBLE_EQUALS, "=="));
                        i += 2;
                    } else {
                        tokens.add(new Token(Kind.EQUALS, "="));
                        i++;
                    }
                }
                case '>' -> add(Kind.GT, ">", i++);
                case '<' -> add(Kind.LT, "<", i++);
                case '(' -> add(Kind.OPEN, "(", i++);
                case ')' -> add(Kind.CLOSE, ")", i++);
                case ',' -> add(Kind.COMMA, ",", i++);
                default -> {
                    int start = i;
                    while (i < n && !Character.isWhitespace(input.charAt(i)) && "!=<>(),".indexOf(input.charAt(i)) < 0) {
                        i++;
                    }
                    String word = input.substring(start, i);
                    Kind kind = switch (word) {
                        case "in" -> Kind.IN;
                        case "notin" -> Kind.NOT_IN;
                        default -> Kind.IDENT;
                    };
                    tokens.add(new Token(kind, word));
                }
            }
        }
        tokens.add(new Token(Kind.END, "end of string"));
    }

    private void add(Kind kind, String text, int ignored) {
        tokens.add(new Token(kind, text));
    }
}
