/* gander-cli-dotenv.c: `.env` files as goose reads them
 *
 * goose (v3.24+) loads `.env` with github.com/joho/godotenv v1.5.1 before it
 * reads GOOSE_* variables. This follows that parser's documented and
 * observable rules, quirks included, so one `.env` works for both tools:
 *
 * - `KEY=value`, `KEY: value`, optional `export ` prefix, `#` comments;
 * - unquoted values end at the line end; ` #` starts a trailing comment;
 * - 'single quoted' values are literal; "double quoted" ones may span
 *   lines, turn `\n` and `\r` into line breaks and drop other backslashes;
 * - unquoted and double-quoted values expand `$NAME` and `${NAME}` (upper
 *   case names) from earlier keys of the file, then the environment;
 * - variables already in the environment are never overridden.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "gander-cli.h"

/* godotenv's isSpace: not the line ends */
static gboolean
is_space (gunichar c)
{
  return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ' ||
         c == 0x85 || c == 0xA0;
}

static const char *
skip_unicode_space (const char *p)
{
  while (*p != '\0' && g_unichar_isspace (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p;
}

static const char *
skip_space (const char *p)
{
  while (*p != '\0' && is_space (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p;
}

/* Finds the next statement: skips blank space and whole comment lines. */
static const char *
statement_start (const char *p)
{
  for (;;)
    {
      p = skip_unicode_space (p);
      if (*p == '\0')
        return NULL;
      if (*p != '#')
        return p;
      p = strchr (p, '\n');
      if (p == NULL)
        return NULL;
    }
}

static char *
excerpt (const char *p)
{
  return g_strndup (p, MIN (strlen (p), 40));
}

static gboolean
locate_key (const char  *src,
            char       **key,
            const char **rest,
            GError     **error)
{
  const char *p = skip_space (src);
  const char *end = NULL;
  g_autofree char *raw = NULL;

  if (g_str_has_prefix (p, "export") && is_space (g_utf8_get_char (p + 6)))
    p = skip_space (p + 6);

  for (const char *q = p; *q != '\0'; q = g_utf8_next_char (q))
    {
      gunichar c = g_utf8_get_char (q);

      if (is_space (c))
        continue;
      if (c == '=' || c == ':')
        {
          end = q;
          break;
        }
      if (c == '_' || c == '.' || g_unichar_isalpha (c) || g_unichar_isdigit (c))
        continue;

      {
        g_autofree char *near = excerpt (src);
        g_autofree char *ch = g_ucs4_to_utf8 (&c, 1, NULL, NULL, NULL);
        g_autofree char *chq = cli_go_quote (ch ? ch : "?");
        g_autofree char *nearq = cli_go_quote (near);

        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("unexpected character %s in variable name near %s"),
                     chq, nearq);
        return FALSE;
      }
    }
  if (end == NULL)
    {
      /* A last line with a bare name: godotenv records it under an empty
       * key that can never be set, so it is simply ignored. */
      *key = g_strdup ("");
      *rest = p + strlen (p);
      return TRUE;
    }

  raw = g_strndup (p, end - p);
  g_strchomp (raw);
  *key = g_steal_pointer (&raw);
  *rest = skip_space (end + 1);
  return TRUE;
}

/* godotenv's expandVariables: `\$X` stays literal `$X`, `$X`, `${X}` and
 * (quirk) `$(X` expand; unknown names expand to nothing. */
static char *
expand_variables (const char *value,
                  GHashTable *vars)
{
  GString *out = g_string_new (NULL);
  const char *p = value;

  while (*p != '\0')
    {
      const char *start = p;
      gboolean escaped = FALSE;
      const char *name_start, *name_end;
      g_autofree char *name = NULL;

      if (p[0] == '\\' && p[1] == '$')
        {
          escaped = TRUE;
          p++;
        }
      else if (p[0] != '$')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      p++;  /* the '$' */
      if (*p == '(')
        p++;
      if (*p == '{')
        p++;
      name_start = p;
      while (g_ascii_isupper (*p) || g_ascii_isdigit (*p) || *p == '_')
        p++;
      name_end = p;
      if (*p == '}')
        p++;

      if (escaped)
        {
          g_string_append_len (out, start + 1, p - start - 1);
          continue;
        }
      if (name_end == name_start)
        {
          g_string_append_len (out, start, p - start);
          continue;
        }
      name = g_strndup (name_start, name_end - name_start);
      if (g_hash_table_contains (vars, name))
        g_string_append (out, g_hash_table_lookup (vars, name));
      else if (g_getenv (name) != NULL)
        g_string_append (out, g_getenv (name));
    }
  return g_string_free (out, FALSE);
}

/* godotenv's expandEscapes for double-quoted values. */
static char *
expand_escapes (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p != '\\' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'n':
          g_string_append_c (out, '\n');
          break;
        case 'r':
          g_string_append_c (out, '\r');
          break;
        case '$':
          /* kept escaped for expand_variables */
          g_string_append (out, "\\$");
          break;
        default:
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

static gboolean
extract_value (const char  *src,
               GHashTable  *vars,
               char       **value,
               const char **rest,
               GError     **error)
{
  char quote = src[0];

  if (quote != '\'' && quote != '"')
    {
      const char *eol = src + strcspn (src, "\r\n");
      g_autofree char *line = g_strndup (src, eol - src);
      glong n_chars = g_utf8_strlen (line, -1);
      g_autofree gunichar *chars = g_utf8_to_ucs4_fast (line, -1, NULL);
      glong end = n_chars;
      g_autofree char *cut = NULL;

      /* The last ` #` on the line starts a comment. */
      for (glong i = n_chars - 1; i > 0; i--)
        if (chars[i] == '#' && is_space (chars[i - 1]))
          {
            end = i;
            break;
          }
      cut = g_ucs4_to_utf8 (chars, end, NULL, NULL, NULL);
      {
        const char *a = skip_space (cut);
        const char *b = a + strlen (a);

        while (b > a)
          {
            const char *prev = g_utf8_prev_char (b);
            if (!is_space (g_utf8_get_char (prev)))
              break;
            b = prev;
          }
        {
          g_autofree char *trimmed = g_strndup (a, b - a);
          *value = expand_variables (trimmed, vars);
        }
      }
      *rest = eol;
      return TRUE;
    }

  for (const char *q = src + 1; *q != '\0'; q++)
    {
      const char *a = src, *b = q;
      g_autofree char *inner = NULL;

      if (*q != quote || q[-1] == '\\')
        continue;
      /* godotenv trims every quote character from both ends */
      while (b > a && b[-1] == quote)
        b--;
      while (a < b && *a == quote)
        a++;
      inner = g_strndup (a, b - a);
      if (quote == '"')
        {
          g_autofree char *unescaped = expand_escapes (inner);
          *value = expand_variables (unescaped, vars);
        }
      else
        *value = g_steal_pointer (&inner);
      *rest = q + 1;
      return TRUE;
    }

  {
    g_autofree char *line = g_strndup (src, strcspn (src, "\n"));

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("unterminated quoted value %s"), line);
  }
  return FALSE;
}

/* Parses .env text into a table of variables. */
GHashTable *
cli_dotenv_parse (const char  *contents,
                  GError     **error)
{
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                       g_free, g_free);
  g_autoptr(GString) text = g_string_new (contents);
  const char *p;

  g_string_replace (text, "\r\n", "\n", 0);
  p = text->str;
  while ((p = statement_start (p)) != NULL)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      const char *rest;

      if (!locate_key (p, &key, &rest, error) ||
          !extract_value (rest, vars, &value, &rest, error))
        return NULL;
      g_hash_table_replace (vars, g_steal_pointer (&key), g_steal_pointer (&value));
      p = rest;
    }
  return g_steal_pointer (&vars);
}

/* godotenv.Load(path): sets each variable that is not already set (even to
 * an empty value) in the environment. */
gboolean
cli_dotenv_load (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GHashTable) vars = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not valid UTF-8"), path);
      return FALSE;
    }
  vars = cli_dotenv_parse (contents, error);
  if (vars == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  g_hash_table_iter_init (&iter, vars);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(const char *) key != '\0')
      g_setenv (key, value, FALSE);
  return TRUE;
}
