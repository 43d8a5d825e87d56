/* YAML flow maps written out in block style, the one shape rehost's
 * line-by-line netplan readers (scan's and finalize's) follow. A line
 *   <indent>key: {a: 1, b: {c: 2}, d: [x, y]}   # comment
 * becomes
 *   <indent>key:
 *   <indent+2>a: 1
 *   <indent+2>b:
 *   <indent+4>c: 2
 *   <indent+2>d: [x, y]
 * Maps are opened, at any depth; lists, scalars and empty maps are kept as
 * they are written. A line whose flow map does not close on it, or that
 * this cannot split for sure (an unclosed quote, an entry without "key: "),
 * is left as it is: nothing is guessed. */
#ifndef REHOST_YAML_FLOW_H
#define REHOST_YAML_FLOW_H

/* Called with each line that was opened (the original, without its '\n'). */
typedef void (*rh_yaml_flow_fn)(const char *line, void *arg);

/* The text with every such line opened (a malloc'd copy; NULL when out of
 * memory). old_prefix: when not NULL, each opened line is kept before its
 * block lines as old_prefix + line (a comment, for finalize's rewrites). */
char *rh_yaml_flow_to_block(const char *text, const char *old_prefix, rh_yaml_flow_fn fn,
                            void *arg);

#endif
