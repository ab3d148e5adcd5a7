/* gander-sql-parser.c: goose annotations and statement splitting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A line-by-line port of goose v3.27.3's internal/sqlparser state machine
 * (see GOOSE_SPEC §1). Files must split into the same statements as under
 * goose, so its quirks are reproduced, not fixed: an empty
 * StatementBegin/StatementEnd block still produces an empty statement and
 * swallows the next SQL line, `-- +GOOSE Down` is still a plain comment.
 * What we add is a warning for each such quirk, and error messages that
 * name the file and line around goose's own wording.
 */
#include "config.h"

#include <string.h>

#include "gander-error.h"
#include "gander-sql-parser.h"
#include "gander-sql-parser-private.h"
#include "gander-envsub-private.h"

#define SEE_DOCS "see https://github.com/pressly/goose#sql-migrations"

struct _GanderParsedSql
{
  gatomicrefcount   ref_count;
  GanderDirection   direction;
  gboolean          use_transaction;
  GPtrArray        *statements;  /* (element-type utf8) */
  GArray           *lines;       /* (element-type guint) */
  char            **warnings;
  GArray           *warning_lines;  /* (element-type guint), one per warning */
  gboolean          has_down;       /* a '-- +goose Down' annotation was seen */
  char            **unset_vars;     /* ENVSUB variables expanded to nothing */
  GArray           *unset_lines;    /* (element-type guint), one per variable */
};

G_DEFINE_BOXED_TYPE (GanderParsedSql, gander_parsed_sql,
                     gander_parsed_sql_ref, gander_parsed_sql_unref)

/* goose's parserState; the numbers appear in its error messages. */
typedef enum {
  STATE_START = 0,
  STATE_UP = 1,
  STATE_BEGIN_UP = 2,
  STATE_END_UP = 3,
  STATE_DOWN = 4,
  STATE_BEGIN_DOWN = 5,
  STATE_END_DOWN = 6,
} State;

typedef struct
{
  guint  line;
  guint  seq;
  char  *text;
} Warning;

/* One pass over the file for one direction. */
typedef struct
{
  const char      *filename;
  GanderDirection  direction;
  gboolean         keep_statements;

  State            state;
  gboolean         use_tx;
  gboolean         envsub;

  GString         *buf;
  guint            buf_first_line;    /* first line in buf, 0 when empty */
  guint            buf_content_line;  /* first line in buf with non-space text */
  guint            begin_line;        /* the open StatementBegin */
  guint            empty_block_end;   /* StatementEnd of an empty block whose
                                       * effect is still to be seen */
  guint            n_lines;

  gboolean         saw_down;
  GString         *expanded;          /* ENVSUB scratch */
  GPtrArray       *unset_scratch;     /* ENVSUB: names unset on this line */
  GArray          *unset;             /* (element-type Warning): text = name */
  GPtrArray       *statements;
  GArray          *lines;
  GArray          *warnings;          /* (element-type Warning) */
} Run;

static void
warning_clear (gpointer data)
{
  Warning *w = data;

  g_clear_pointer (&w->text, g_free);
}

static void
run_init (Run             *r,
          const char      *filename,
          GanderDirection  direction,
          gboolean         keep_statements)
{
  memset (r, 0, sizeof *r);
  r->filename = filename;
  r->direction = direction;
  r->keep_statements = keep_statements;
  r->state = STATE_START;
  r->use_tx = TRUE;
  r->buf = g_string_sized_new (256);
  r->expanded = g_string_new (NULL);
  /* NULL-terminated: plan steps hand out its array as it is */
  r->statements = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  r->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  r->warnings = g_array_new (FALSE, FALSE, sizeof (Warning));
  g_array_set_clear_func (r->warnings, warning_clear);
  r->unset_scratch = g_ptr_array_new_with_free_func (g_free);
  r->unset = g_array_new (FALSE, FALSE, sizeof (Warning));
  g_array_set_clear_func (r->unset, warning_clear);
}

static void
run_clear (Run *r)
{
  g_string_free (r->buf, TRUE);
  g_string_free (r->expanded, TRUE);
  g_clear_pointer (&r->statements, g_ptr_array_unref);
  g_clear_pointer (&r->lines, g_array_unref);
  g_clear_pointer (&r->warnings, g_array_unref);
  g_clear_pointer (&r->unset_scratch, g_ptr_array_unref);
  g_clear_pointer (&r->unset, g_array_unref);
}

/* gander_go_space_width() with the ASCII bytes, nearly all of SQL,
 * decided inline: an ASCII byte is a whole rune, and unicode.IsSpace
 * below U+0080 is '\t', '\n', '\v', '\f', '\r' and ' '. */
static inline gsize
space_width (const char *s,
             gsize       len)
{
  guint8 c;

  if (len == 0)
    return 0;
  c = (guint8) s[0];
  if (c < 0x80)
    return c == ' ' || (c >= '\t' && c <= '\r') ? 1 : 0;
  return gander_go_space_width (s, len);
}

static gboolean
has_prefix (const char *s,
            gsize       len,
            const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && memcmp (s, prefix, n) == 0;
}

static const char *
find (const char *haystack,
      gsize       len,
      const char *needle)
{
  gsize n = strlen (needle);
  const char *end = haystack + len;
  const char *p = haystack;

  while (n <= (gsize) (end - p))
    {
      p = memchr (p, needle[0], end - p - n + 1);
      if (p == NULL)
        return NULL;
      if (memcmp (p, needle, n) == 0)
        return p;
      p++;
    }
  return NULL;
}

static gboolean
contains_ascii_nocase (const char *s,
                       gsize       len,
                       const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    {
      if (g_ascii_strncasecmp (s + i, needle, n) == 0)
        return TRUE;
    }
  return FALSE;
}

static const char *
direction_word (GanderDirection direction)
{
  return direction == GANDER_DIRECTION_DOWN ? "down" : "up";
}

static gboolean
state_is_up (State state)
{
  return state == STATE_UP || state == STATE_BEGIN_UP || state == STATE_END_UP;
}

static gboolean
state_is_down (State state)
{
  return state == STATE_DOWN || state == STATE_BEGIN_DOWN || state == STATE_END_DOWN;
}

/* Whether lines in @state belong to the direction this run collects. */
static gboolean
state_is_own (Run   *r,
              State  state)
{
  return r->direction == GANDER_DIRECTION_UP ? state_is_up (state) : state_is_down (state);
}

G_GNUC_PRINTF (3, 4)
static void
add_warning (Run        *r,
             guint       line,
             const char *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;
  Warning w;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  w.line = line;
  w.seq = r->warnings->len;
  w.text = g_strdup_printf ("%s:%u: %s", r->filename, line, message);
  g_array_append_val (r->warnings, w);
}

/* Sets a GANDER_ERROR_PARSE error "FILE:LINE: <goose text>", with an
 * optional note and the quirks seen so far, which often explain it. */
G_GNUC_PRINTF (5, 6)
static gboolean
fail (Run         *r,
      GError     **error,
      guint        line,
      const char  *note,
      const char  *format,
      ...)
{
  va_list args;
  g_autoptr(GString) message = g_string_new (NULL);

  g_string_append_printf (message, "%s:%u: ", r->filename, MAX (line, 1));
  va_start (args, format);
  g_string_append_vprintf (message, format, args);
  va_end (args);
  if (note != NULL)
    g_string_append_printf (message, " (%s)", note);
  for (guint i = 0; i < r->warnings->len; i++)
    {
      g_string_append_c (message, '\n');
      g_string_append (message, g_array_index (r->warnings, Warning, i).text);
    }

  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_PARSE, message->str);
  return FALSE;
}

/* @line is where the missing semicolon is noticed: the '-- +goose Down'
 * annotation (@at_down) or the end of the file. The prefix names it, as
 * goose's line does; the note says where the statement began. */
static gboolean
fail_missing_semicolon (Run      *r,
                        GError  **error,
                        guint     line,
                        gboolean  at_down)
{
  const char *s = r->buf->str;
  gsize len = r->buf->len;
  g_autofree char *quoted = NULL;
  g_autofree char *note = NULL;

  gander_go_trim_space (&s, &len);
  quoted = gander_go_quote (s, len);
  if (at_down)
    note = g_strdup_printf ("the statement that starts on line %u is still unterminated "
                            "when '-- +goose Down' begins on line %u",
                            r->buf_content_line, MAX (line, 1));
  else
    note = g_strdup_printf ("the statement that starts on line %u is still unterminated "
                            "at the end of the file, line %u",
                            r->buf_content_line, MAX (line, 1));
  return fail (r, error, line, note,
               "failed to parse migration: state %d, direction: %s: "
               "unexpected unfinished SQL query: %s: missing semicolon?",
               (int) r->state, direction_word (r->direction), quoted);
}

static void
buf_reset (Run *r)
{
  g_string_truncate (r->buf, 0);
  r->buf_first_line = 0;
  r->buf_content_line = 0;
}

static void
buf_append (Run        *r,
            const char *line,
            gsize       len,
            guint       lineno)
{
  const char *t = line;
  gsize tlen = len;

  gander_go_trim_space (&t, &tlen);
  if (r->buf_first_line == 0)
    r->buf_first_line = lineno;
  if (r->buf_content_line == 0 && tlen > 0)
    r->buf_content_line = lineno;

  g_string_append_len (r->buf, line, len);
  g_string_append_c (r->buf, '\n');
}

static void
emit (Run   *r,
      guint  lineno)
{
  if (r->keep_statements)
    {
      const char *s = r->buf->str;
      gsize len = r->buf->len;
      guint line;

      gander_go_trim_space (&s, &len);
      /* Point at the first line of the statement's text. */
      line = r->buf_content_line ? r->buf_content_line :
             r->buf_first_line ? r->buf_first_line : lineno;
      g_ptr_array_add (r->statements, g_strndup (s, len));
      g_array_append_val (r->lines, line);
    }
  buf_reset (r);
}

/* An empty block that nothing followed in its section: harmless. */
static void
settle_empty_block (Run *r)
{
  if (r->empty_block_end == 0)
    return;
  add_warning (r, r->empty_block_end,
               "empty '-- +goose StatementBegin'/'-- +goose StatementEnd' block");
  r->empty_block_end = 0;
}

/* bufio.ScanWords over @line, as goose's endsWithSemicolon: the last word
 * before the first word that starts with "--" must end in ';'. Also
 * returns that word and where the comment word starts, for the warnings. */
static gboolean
ends_with_semicolon (const char *line,
                     gsize       len,
                     gsize      *prev_start_out,
                     gsize      *prev_len_out,
                     gsize      *cut_out)
{
  gsize prev_start = 0, prev_len = 0, cut = len;
  gsize i = 0;

  /* Common case: no "--" anywhere, so the last word is what is left after
   * trimming the end. */
  if (len < GANDER_GO_SCAN_BUF_SIZE && find (line, len, "--") == NULL)
    {
      const char *s = line;
      gsize n = len;

      gander_go_trim_space (&s, &n);
      if (prev_start_out == NULL && prev_len_out == NULL && cut_out == NULL)
        return n > 0 && s[n - 1] == ';';
    }

  while (i < len)
    {
      gsize w, start, word_len, term;

      while (i < len && (w = space_width (line + i, len - i)) > 0)
        i += w;
      if (i >= len)
        break;

      start = i;
      while (i < len && space_width (line + i, len - i) == 0)
        i++;
      word_len = i - start;
      term = space_width (line + i, len - i);

      /* goose's word scanner gives up silently on a word that does not fit
       * its 4 MiB buffer; only an ENVSUB-expanded line can have one. */
      if ((i < len && word_len + term > GANDER_GO_SCAN_BUF_SIZE) ||
          (i >= len && word_len >= GANDER_GO_SCAN_BUF_SIZE))
        break;

      if (has_prefix (line + start, word_len, "--"))
        {
          cut = start;
          break;
        }
      prev_start = start;
      prev_len = word_len;
      i += term;
    }

  if (prev_start_out != NULL)
    *prev_start_out = prev_start;
  if (prev_len_out != NULL)
    *prev_len_out = prev_len;
  if (cut_out != NULL)
    *cut_out = cut;

  return prev_len > 0 && line[prev_start + prev_len - 1] == ';';
}

gboolean
gander_sql_ends_with_semicolon (const char *line,
                                gsize       len)
{
  return ends_with_semicolon (line, len, NULL, NULL, NULL);
}

/* A line that a reader would take as the end of a statement but goose does
 * not: `SELECT 1;--c`, or a block comment after the ';'. */
static void
check_semicolon_quirks (Run        *r,
                        const char *line,
                        gsize       len,
                        guint       lineno)
{
  gsize prev_start, prev_len, cut;
  const char *region = line;
  gsize region_len;
  gboolean stripped = FALSE;

  ends_with_semicolon (line, len, &prev_start, &prev_len, &cut);

  if (find (line + prev_start, prev_len, ";--") != NULL)
    {
      add_warning (r, lineno,
                   "';' followed directly by '--' does not end a statement in goose; "
                   "the statement goes on with the next line");
      return;
    }

  region_len = cut;
  for (;;)
    {
      gsize i;

      gander_go_trim_space (&region, &region_len);
      if (!(region_len >= 2 && region[region_len - 2] == '*' &&
            region[region_len - 1] == '/'))
        break;
      for (i = region_len - 2; i >= 2; i--)
        {
          if (region[i - 2] == '/' && region[i - 1] == '*')
            break;
        }
      if (i < 2)
        break;
      region_len = i - 2;
      stripped = TRUE;
    }

  if (stripped && region_len > 0 && region[region_len - 1] == ';')
    add_warning (r, lineno,
                 "a '/* */' comment after ';' hides the ';' from goose; "
                 "the statement goes on with the next line");
}

static gboolean
equal_fold_ascii (const char *s,
                  gsize       len,
                  const char *canonical)
{
  gsize i = 0;

  /* Go's strings.EqualFold against an ASCII word: besides ASCII case, only
   * U+017F (long s) and U+212A (Kelvin sign) fold onto ASCII letters. */
  for (const char *t = canonical; *t != '\0'; t++)
    {
      gsize size;
      gint32 r;

      if (i >= len)
        return FALSE;
      r = gander_go_decode_rune (s + i, len - i, &size);
      i += size;

      if (r == *t)
        continue;
      if (r < 0x80)
        {
          if (g_ascii_isalpha (*t) && g_ascii_tolower ((char) r) == g_ascii_tolower (*t))
            continue;
          return FALSE;
        }
      if (r == 0x17F && (*t == 's' || *t == 'S'))
        continue;
      if (r == 0x212A && (*t == 'k' || *t == 'K'))
        continue;
      return FALSE;
    }

  return i == len;
}

/* goose's extractAnnotation(), with its error texts. */
gboolean
gander_sql_extract_annotation (const char        *line,
                               gsize              len,
                               GanderAnnotation  *annotation,
                               char             **error_text)
{
  static const struct {
    const char       *word;
    GanderAnnotation  annotation;
  } supported[] = {
    { "Up", GANDER_ANNOTATION_UP },
    { "Down", GANDER_ANNOTATION_DOWN },
    { "StatementBegin", GANDER_ANNOTATION_STATEMENT_BEGIN },
    { "StatementEnd", GANDER_ANNOTATION_STATEMENT_END },
    { "NO TRANSACTION", GANDER_ANNOTATION_NO_TRANSACTION },
    { "ENVSUB ON", GANDER_ANNOTATION_ENVSUB_ON },
    { "ENVSUB OFF", GANDER_ANNOTATION_ENVSUB_OFF },
  };
  g_autoptr(GString) cmd = NULL;
  g_autofree char *quoted = NULL;
  const char *p;
  const char *word;
  gsize word_len;

  if (len > 0 && (line[0] == ' ' || line[0] == '\t'))
    {
      quoted = gander_go_quote (line, len);
      *error_text = g_strdup_printf ("%s contains leading whitespace: invalid annotation", quoted);
      return FALSE;
    }

  /* Every "--" goes, then the first "+goose". */
  cmd = g_string_sized_new (len);
  for (gsize i = 0; i < len;)
    {
      if (i + 1 < len && line[i] == '-' && line[i + 1] == '-')
        {
          i += 2;
          continue;
        }
      g_string_append_c (cmd, line[i]);
      i++;
    }
  p = find (cmd->str, cmd->len, "+goose");
  if (p != NULL)
    g_string_erase (cmd, p - cmd->str, 6);

  if (find (cmd->str, cmd->len, "+goose") != NULL)
    {
      quoted = gander_go_quote (cmd->str, cmd->len);
      *error_text = g_strdup_printf ("%s contains multiple '+goose' annotations: invalid annotation",
                                     quoted);
      return FALSE;
    }

  word = cmd->str;
  word_len = cmd->len;
  gander_go_trim_space (&word, &word_len);
  if (word_len == 0)
    {
      *error_text = g_strdup ("empty annotation");
      return FALSE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (supported); i++)
    {
      if (equal_fold_ascii (word, word_len, supported[i].word))
        {
          *annotation = supported[i].annotation;
          return TRUE;
        }
    }

  quoted = gander_go_quote (word, word_len);
  *error_text = g_strdup_printf ("%s not supported: invalid annotation", quoted);
  return FALSE;
}

/* Steps 2 (annotations) of the state machine. Returns TRUE with *done set
 * when the line is consumed. */
static gboolean
handle_annotation (Run         *r,
                   const char  *line,
                   gsize        len,
                   guint        lineno,
                   gboolean    *done,
                   GError     **error)
{
  GanderAnnotation annotation;
  g_autofree char *why = NULL;

  *done = TRUE;

  if (!gander_sql_extract_annotation (line, len, &annotation, &why))
    {
      g_autofree char *quoted = gander_go_quote (line, len);

      return fail (r, error, lineno, NULL,
                   "failed to parse annotation line %s: %s", quoted, why);
    }

  switch (annotation)
    {
    case GANDER_ANNOTATION_UP:
      if (r->state != STATE_START)
        return fail (r, error, lineno, NULL,
                     "duplicate '-- +goose Up' annotations; stateMachine=%d, " SEE_DOCS,
                     (int) r->state);
      r->state = STATE_UP;
      return TRUE;

    case GANDER_ANNOTATION_DOWN:
      if (r->state != STATE_UP && r->state != STATE_END_UP)
        return fail (r, error, lineno, NULL,
                     "must start with '-- +goose Up' annotation, stateMachine=%d, " SEE_DOCS,
                     (int) r->state);
      if (r->buf_content_line != 0)
        return fail_missing_semicolon (r, error, lineno, TRUE);
      settle_empty_block (r);
      r->state = STATE_DOWN;
      r->saw_down = TRUE;
      return TRUE;

    case GANDER_ANNOTATION_STATEMENT_BEGIN:
      if (r->state == STATE_UP || r->state == STATE_END_UP ||
          r->state == STATE_DOWN || r->state == STATE_END_DOWN)
        {
          /* goose does not check the buffer here: an unterminated statement
           * becomes the start of the block. */
          if (state_is_own (r, r->state) && r->buf_content_line != 0)
            add_warning (r, lineno,
                         "the statement starting on line %u has no terminating ';': "
                         "goose joins it to this '-- +goose StatementBegin' block",
                         r->buf_content_line);
          settle_empty_block (r);
          r->state = state_is_up (r->state) ? STATE_BEGIN_UP : STATE_BEGIN_DOWN;
          r->begin_line = lineno;
          return TRUE;
        }
      return fail (r, error, lineno, NULL,
                   "'-- +goose StatementBegin' must be defined after '-- +goose Up' or "
                   "'-- +goose Down' annotation, stateMachine=%d, " SEE_DOCS,
                   (int) r->state);

    case GANDER_ANNOTATION_STATEMENT_END:
      if (r->state == STATE_BEGIN_UP)
        r->state = STATE_END_UP;
      else if (r->state == STATE_BEGIN_DOWN)
        r->state = STATE_END_DOWN;
      else
        return fail (r, error, lineno, NULL,
                     "'-- +goose StatementEnd' must be defined after "
                     "'-- +goose StatementBegin', " SEE_DOCS);
      /* With nothing buffered, goose skips this line as a comment and the
       * block's statement is only emitted by the next SQL line, which is
       * lost. */
      if (state_is_own (r, r->state) && r->buf->len == 0)
        r->empty_block_end = lineno;
      /* Like goose, the line goes on through the rest of the machine. */
      *done = FALSE;
      return TRUE;

    case GANDER_ANNOTATION_NO_TRANSACTION:
      r->use_tx = FALSE;
      return TRUE;

    case GANDER_ANNOTATION_ENVSUB_ON:
      r->envsub = TRUE;
      return TRUE;

    case GANDER_ANNOTATION_ENVSUB_OFF:
    default:
      r->envsub = FALSE;
      return TRUE;
    }
}

static gboolean
process_line (Run         *r,
              const char  *line,
              gsize        len,
              guint        lineno,
              GError     **error)
{
  const char *trimmed = line;
  gsize trimmed_len = len;
  gboolean is_comment;

  gander_go_trim_space (&trimmed, &trimmed_len);

  if (lineno == 1 && has_prefix (line, len, "\xEF\xBB\xBF"))
    add_warning (r, lineno,
                 "the file starts with a UTF-8 byte order mark, which goose does not "
                 "strip: the first line is not read as an annotation");

  if (r->state == STATE_START && trimmed_len == 0)
    return TRUE;

  is_comment = has_prefix (trimmed, trimmed_len, "--");
  if (is_comment && find (line, len, "+goose") != NULL)
    {
      gboolean done;

      if (!handle_annotation (r, line, len, lineno, &done, error))
        return FALSE;
      if (done)
        return TRUE;
    }
  else if (is_comment && contains_ascii_nocase (line, len, "+goose"))
    {
      g_autofree char *quoted = gander_go_quote (trimmed, trimmed_len);

      add_warning (r, lineno,
                   "%s is not an annotation: goose only knows the lower-case "
                   "'+goose' marker and treats this line as an SQL comment",
                   quoted);
    }

  /* Leading comments and empty lines of a statement are dropped. */
  if (r->buf->len == 0 && (is_comment || len == 0))
    return TRUE;

  if (r->state != STATE_END_UP && r->state != STATE_END_DOWN)
    {
      const char *nul = state_is_own (r, r->state) ? memchr (line, '\0', len) : NULL;

      /* goose keeps the byte, and the database then reads the statement
       * only up to it (SQLite) or refuses it (PostgreSQL); a C string ends
       * there too. Either way the rest of the statement would be lost
       * without a word, so the file is refused. */
      if (nul != NULL)
        return fail (r, error, lineno, NULL,
                     "a NUL byte (column %" G_GSIZE_FORMAT ") inside a statement: "
                     "the statement would end there and the rest of it would be lost; "
                     "remove the byte (a binary or UTF-16 file?)",
                     (gsize) (nul - line) + 1);

      if (r->envsub)
        {
          g_autoptr(GError) local_error = NULL;
          gboolean collapsed = FALSE;

          g_string_truncate (r->expanded, 0);
          g_ptr_array_set_size (r->unset_scratch, 0);
          if (!gander_envsub_expand_full (line, len, NULL, NULL, r->expanded,
                                          &collapsed, r->unset_scratch, &local_error))
            {
              g_autoptr(GString) raw = g_string_new_len (line, len);

              return fail (r, error, lineno, NULL,
                           "variable substitution failed: %s:\n%s",
                           local_error->message, raw->str);
            }
          for (guint i = 0; i < r->unset_scratch->len; i++)
            {
              Warning w = { lineno, r->unset->len,
                            g_strdup (g_ptr_array_index (r->unset_scratch, i)) };

              g_array_append_val (r->unset, w);
            }
          if (collapsed)
            add_warning (r, lineno,
                         "ENVSUB ON turns '$$' into '$'; put dollar-quoted bodies "
                         "between '-- +goose ENVSUB OFF' and '-- +goose ENVSUB ON'");
          line = r->expanded->str;
          len = r->expanded->len;
        }
      buf_append (r, line, len, lineno);
    }
  else if (r->empty_block_end != 0)
    {
      add_warning (r, r->empty_block_end,
                   "empty '-- +goose StatementBegin'/'-- +goose StatementEnd' block: "
                   "goose runs an empty statement in its place and skips line %u",
                   lineno);
      r->empty_block_end = 0;
    }

  /* Lines of the other direction are dropped; the state stays. */
  switch (r->state)
    {
    case STATE_UP:
    case STATE_BEGIN_UP:
    case STATE_END_UP:
      if (r->direction == GANDER_DIRECTION_DOWN)
        {
          buf_reset (r);
          return TRUE;
        }
      break;
    case STATE_DOWN:
    case STATE_BEGIN_DOWN:
    case STATE_END_DOWN:
      if (r->direction == GANDER_DIRECTION_UP)
        {
          buf_reset (r);
          return TRUE;
        }
      break;
    case STATE_START:
    default:
      {
        g_autofree char *quoted = gander_go_quote (line, len);

        return fail (r, error, lineno, NULL,
                     "failed to parse migration: unexpected state %d on line %s, " SEE_DOCS,
                     (int) r->state, quoted);
      }
    }

  switch (r->state)
    {
    case STATE_UP:
    case STATE_DOWN:
      if (ends_with_semicolon (line, len, NULL, NULL, NULL))
        emit (r, lineno);
      else
        check_semicolon_quirks (r, line, len, lineno);
      break;

    case STATE_END_UP:
    case STATE_END_DOWN:
      if (r->buf_content_line == 0 && r->buf->len > 0)
        add_warning (r, r->begin_line,
                     "the '-- +goose StatementBegin' block holds only blank lines: "
                     "goose runs it as an empty statement");
      emit (r, lineno);
      r->state = r->state == STATE_END_UP ? STATE_UP : STATE_DOWN;
      break;

    case STATE_START:
    case STATE_BEGIN_UP:
    case STATE_BEGIN_DOWN:
    default:
      break;
    }

  return TRUE;
}

static gboolean
run_parse (Run         *r,
           const char  *data,
           gsize        size,
           GError     **error)
{
  gsize pos = 0;

  /* bufio.Scanner with ScanLines: split on '\n', drop one '\r', a final
   * line without '\n' counts, no empty line after a final '\n'. */
  while (pos < size)
    {
      const char *line = data + pos;
      const char *nl = memchr (line, '\n', size - pos);
      gsize raw_len = nl != NULL ? (gsize) (nl - line) : size - pos;
      gsize len = raw_len;

      r->n_lines++;
      if (raw_len >= GANDER_GO_SCAN_BUF_SIZE)
        return fail (r, error, r->n_lines, NULL,
                     "failed to scan migration: bufio.Scanner: token too long");

      if (len > 0 && line[len - 1] == '\r')
        len--;
      pos += raw_len + (nl != NULL ? 1 : 0);

      if (!process_line (r, line, len, r->n_lines, error))
        return FALSE;
    }

  switch (r->state)
    {
    case STATE_START:
      return fail (r, error, r->n_lines, NULL,
                   "failed to parse migration: must start with '-- +goose Up' "
                   "annotation, " SEE_DOCS);
    case STATE_BEGIN_UP:
    case STATE_BEGIN_DOWN:
      {
        g_autofree char *note = g_strdup_printf ("the block opened on line %u is not closed",
                                                 r->begin_line);

        return fail (r, error, r->n_lines, note,
                     "failed to parse migration: missing '-- +goose StatementEnd' annotation");
      }
    case STATE_UP:
    case STATE_END_UP:
    case STATE_DOWN:
    case STATE_END_DOWN:
    default:
      break;
    }

  if (r->buf_content_line != 0)
    return fail_missing_semicolon (r, error, r->n_lines, FALSE);

  settle_empty_block (r);
  return TRUE;
}

static int
compare_warnings (gconstpointer a,
                  gconstpointer b)
{
  const Warning *wa = a;
  const Warning *wb = b;

  if (wa->line != wb->line)
    return wa->line < wb->line ? -1 : 1;
  if (wa->seq != wb->seq)
    return wa->seq < wb->seq ? -1 : 1;
  return 0;
}

/* The quirks of both runs, in line order, each once. */
static char **
collect_warnings (Run     *main_run,
                  Run     *other_run,
                  GArray **lines_out)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Warning));
  Run *runs[] = { main_run, other_run };
  guint seq = 0;

  for (guint k = 0; k < G_N_ELEMENTS (runs); k++)
    {
      for (guint i = 0; i < runs[k]->warnings->len; i++)
        {
          Warning w = g_array_index (runs[k]->warnings, Warning, i);

          w.seq = seq++;
          g_array_append_val (all, w);
        }
    }

  if (all->len > 0)
    {
      seen = g_hash_table_new (g_str_hash, g_str_equal);
      g_array_sort (all, compare_warnings);
      for (guint i = 0; i < all->len; i++)
        {
          const Warning *w = &g_array_index (all, Warning, i);

          if (g_hash_table_add (seen, w->text))
            {
              g_ptr_array_add (result, g_strdup (w->text));
              g_array_append_val (lines, w->line);
            }
        }
    }

  *lines_out = g_steal_pointer (&lines);
  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&result), FALSE);
}

static GanderParsedSql *
parsed_new (Run *main_run,
            Run *other_run)
{
  GanderParsedSql *parsed = g_new0 (GanderParsedSql, 1);

  g_atomic_ref_count_init (&parsed->ref_count);
  parsed->direction = main_run->direction;
  parsed->use_transaction = main_run->use_tx;
  parsed->statements = g_steal_pointer (&main_run->statements);
  parsed->lines = g_steal_pointer (&main_run->lines);
  parsed->warnings = collect_warnings (main_run, other_run, &parsed->warning_lines);
  parsed->has_down = main_run->saw_down;

  /* Every line goes through ENVSUB in either run: the main one has all. */
  {
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    parsed->unset_lines = g_array_new (FALSE, FALSE, sizeof (guint));
    for (guint i = 0; i < main_run->unset->len; i++)
      {
        const Warning *w = &g_array_index (main_run->unset, Warning, i);

        if (g_hash_table_add (seen, g_strdup_printf ("%u:%s", w->line, w->text)))
          {
            g_ptr_array_add (names, g_strdup (w->text));
            g_array_append_val (parsed->unset_lines, w->line);
          }
      }
    g_ptr_array_add (names, NULL);
    parsed->unset_vars = (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  }
  return parsed;
}

static const char *
contents_data (GBytes *contents,
               gsize  *size)
{
  const char *data = g_bytes_get_data (contents, size);

  return data != NULL ? data : "";
}

/**
 * gander_sql_parse:
 * @contents: the bytes of a goose `.sql` migration file
 * @direction: which section to return
 * @filename: (nullable): the name used in messages; `<input>` if %NULL
 * @error: return location for a #GError
 *
 * Splits one direction of a goose SQL migration into statements exactly as
 * goose v3.27.3 does: same annotations, same statement boundaries, same
 * bytes, same errors, including goose's known quirks (an empty
 * StatementBegin/StatementEnd block runs an empty statement and swallows
 * the next SQL line; `-- +GOOSE Down` is a plain comment). Each quirk found
 * in either section is reported by gander_parsed_sql_get_warnings().
 *
 * On failure the error is %GANDER_ERROR_PARSE and its message reads
 * `FILE:LINE: ` followed by goose's own error text.
 *
 * Returns: (transfer full): the parsed section, or %NULL on error
 *
 * Since: 0.1
 */
GanderParsedSql *
gander_sql_parse (GBytes           *contents,
                  GanderDirection   direction,
                  const char       *filename,
                  GError          **error)
{
  GanderParsedSql *parsed;
  const char *data;
  gsize size = 0;
  Run main_run, other_run;

  g_return_val_if_fail (contents != NULL, NULL);
  g_return_val_if_fail (direction == GANDER_DIRECTION_UP ||
                        direction == GANDER_DIRECTION_DOWN, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filename == NULL)
    filename = "<input>";
  data = contents_data (contents, &size);

  run_init (&main_run, filename, direction, TRUE);
  if (!run_parse (&main_run, data, size, error))
    {
      run_clear (&main_run);
      return NULL;
    }

  /* The other section's quirks matter too (a Down that goose silently
   * folds into Up, say), so it gets a pass of its own; its errors belong to
   * the other direction's parse and are not ours to report. */
  run_init (&other_run, filename,
            direction == GANDER_DIRECTION_UP ? GANDER_DIRECTION_DOWN : GANDER_DIRECTION_UP,
            FALSE);
  run_parse (&other_run, data, size, NULL);

  parsed = parsed_new (&main_run, &other_run);

  run_clear (&main_run);
  run_clear (&other_run);
  return parsed;
}

/* Both sections with two passes instead of the four that two calls of
 * gander_sql_parse() make; each result, or error, is exactly what that
 * call would give. */
void
gander_sql_parse_both (GBytes            *contents,
                       const char        *filename,
                       GanderParsedSql  **up,
                       GError           **up_error,
                       GanderParsedSql  **down,
                       GError           **down_error)
{
  const char *data;
  gsize size = 0;
  Run up_run, down_run;
  gboolean up_ok, down_ok;

  g_return_if_fail (contents != NULL);

  if (filename == NULL)
    filename = "<input>";
  data = contents_data (contents, &size);

  run_init (&up_run, filename, GANDER_DIRECTION_UP, TRUE);
  up_ok = run_parse (&up_run, data, size, up_error);
  run_init (&down_run, filename, GANDER_DIRECTION_DOWN, TRUE);
  down_ok = run_parse (&down_run, data, size, down_error);

  /* parsed_new() takes the statements of its main run only */
  *up = up_ok ? parsed_new (&up_run, &down_run) : NULL;
  *down = down_ok ? parsed_new (&down_run, &up_run) : NULL;

  run_clear (&up_run);
  run_clear (&down_run);
}

/**
 * gander_parsed_sql_ref:
 * @parsed: a #GanderParsedSql
 *
 * Takes a reference. Safe from any thread.
 *
 * Returns: (transfer full): @parsed
 *
 * Since: 0.1
 */
GanderParsedSql *
gander_parsed_sql_ref (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, NULL);

  g_atomic_ref_count_inc (&parsed->ref_count);
  return parsed;
}

/**
 * gander_parsed_sql_unref:
 * @parsed: (transfer full): a #GanderParsedSql
 *
 * Drops a reference; the last one frees @parsed. Safe from any thread.
 *
 * Since: 0.1
 */
void
gander_parsed_sql_unref (GanderParsedSql *parsed)
{
  g_return_if_fail (parsed != NULL);

  if (!g_atomic_ref_count_dec (&parsed->ref_count))
    return;

  g_ptr_array_unref (parsed->statements);
  g_array_unref (parsed->lines);
  g_strfreev (parsed->warnings);
  g_array_unref (parsed->warning_lines);
  g_strfreev (parsed->unset_vars);
  g_array_unref (parsed->unset_lines);
  g_free (parsed);
}

/**
 * gander_parsed_sql_get_direction:
 * @parsed: a #GanderParsedSql
 *
 * Gets the section @parsed holds.
 *
 * Returns: the section @parsed holds
 *
 * Since: 0.1
 */
GanderDirection
gander_parsed_sql_get_direction (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, GANDER_DIRECTION_UP);

  return parsed->direction;
}

/**
 * gander_parsed_sql_get_use_transaction:
 * @parsed: a #GanderParsedSql
 *
 * Whether the migration runs inside a transaction: %FALSE when the file
 * has a `-- +goose NO TRANSACTION` line anywhere (it applies to both
 * directions).
 *
 * Returns: %TRUE to run in a transaction
 *
 * Since: 0.1
 */
gboolean
gander_parsed_sql_get_use_transaction (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, TRUE);

  return parsed->use_transaction;
}

/**
 * gander_parsed_sql_get_n_statements:
 * @parsed: a #GanderParsedSql
 *
 * Gets the number of statements; 0 for an empty section.
 *
 * Returns: the number of statements; 0 for an empty section
 *
 * Since: 0.1
 */
guint
gander_parsed_sql_get_n_statements (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, 0);

  return parsed->statements->len;
}

/**
 * gander_parsed_sql_get_statement:
 * @parsed: a #GanderParsedSql
 * @index: a statement index, below gander_parsed_sql_get_n_statements()
 *
 * The statement text as goose passes it to the database: lines joined by
 * `\n`, comments inside the statement kept, surrounding whitespace
 * trimmed. A StatementBegin/StatementEnd block is one statement that may
 * hold several SQL commands, so it must be run with a multi-statement API.
 *
 * Returns: (transfer none): the statement
 *
 * Since: 0.1
 */
const char *
gander_parsed_sql_get_statement (GanderParsedSql *parsed,
                                 guint            index)
{
  g_return_val_if_fail (parsed != NULL, NULL);
  g_return_val_if_fail (index < parsed->statements->len, NULL);

  return g_ptr_array_index (parsed->statements, index);
}

/* The statements as a NULL-terminated array, owned by @parsed. */
const char * const *
gander_parsed_sql_peek_statements (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, NULL);

  return (const char * const *) parsed->statements->pdata;
}

/**
 * gander_parsed_sql_get_statement_line:
 * @parsed: a #GanderParsedSql
 * @index: a statement index, below gander_parsed_sql_get_n_statements()
 *
 * The 1-based line of the file on which the statement's text starts, so
 * that the line of any part of it is this plus the number of newlines
 * before that part. For the empty statement goose makes of an empty
 * StatementBegin/StatementEnd block, the line goose swallowed.
 *
 * Returns: a line number
 *
 * Since: 0.1
 */
guint
gander_parsed_sql_get_statement_line (GanderParsedSql *parsed,
                                      guint            index)
{
  g_return_val_if_fail (parsed != NULL, 0);
  g_return_val_if_fail (index < parsed->lines->len, 0);

  return g_array_index (parsed->lines, guint, index);
}

/**
 * gander_parsed_sql_get_warnings:
 * @parsed: a #GanderParsedSql
 *
 * Places where goose's reading of the file probably differs from what its
 * author meant, found in either section, each as `FILE:LINE: message`:
 * annotations spelled `+GOOSE` (goose ignores them), empty
 * StatementBegin/StatementEnd blocks, unterminated statements glued onto
 * a block, a UTF-8 byte order mark, a `;` hidden by a `--` glued to it or
 * by a block comment after it, and `$$` collapsed to `$` by ENVSUB. The statements are
 * still exactly goose's.
 *
 * Returns: (transfer none) (array zero-terminated=1): the warnings, possibly
 *   empty
 *
 * Since: 0.1
 */
const char * const *
gander_parsed_sql_get_warnings (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, NULL);

  return (const char * const *) parsed->warnings;
}

/* The line of warning @index of gander_parsed_sql_get_warnings(). */
guint
gander_parsed_sql_get_warning_line (GanderParsedSql *parsed,
                                    guint            index)
{
  g_return_val_if_fail (parsed != NULL, 0);
  g_return_val_if_fail (index < parsed->warning_lines->len, 0);

  return g_array_index (parsed->warning_lines, guint, index);
}

/* Whether the file has a '-- +goose Down' annotation at all. */
gboolean
gander_parsed_sql_has_down_annotation (GanderParsedSql *parsed)
{
  g_return_val_if_fail (parsed != NULL, FALSE);

  return parsed->has_down;
}

/* Variables an ENVSUB ON region referenced that were not set and so
 * expanded to nothing, each with its line (*lines, same length). */
const char * const *
gander_parsed_sql_get_unset_variables (GanderParsedSql  *parsed,
                                       GArray          **lines)
{
  g_return_val_if_fail (parsed != NULL, NULL);

  if (lines != NULL)
    *lines = parsed->unset_lines;
  return (const char * const *) parsed->unset_vars;
}
