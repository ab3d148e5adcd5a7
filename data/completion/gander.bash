# bash completion for gander(1)                          -*- shell-script -*-
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Completes gander's commands, flags (goose's -flag and Gander's --flag
# spellings), drivers, directories for -dir, migration versions read from
# the migrations directory for up-to, down-to, baseline and repair, and
# profile and environment names read from the configuration files.
#
# Self-contained: it works with or without the bash-completion package.

# Commands and their sub-commands; keep in step with `gander --help`.
_gander_commands='up up-by-one up-to down down-to redo reset status version
create fix validate env parse lint config baseline repair breaker audit
backup backups restore health credentials'
_gander_drivers='sqlite3 sqlite postgres pgx'
# goose's flags (offered as -flag) and Gander's (offered as --flag); the
# tool accepts either spelling for both.
_gander_goose_flags='-dir -table -env -timeout -v -s -allow-missing
-no-versioning -no-color -version -h -help -certfile -ssl-cert -ssl-key'
_gander_own_flags='--json --exit-code --lock-timeout --statement-timeout
--direction --dialect --profile --environment --config --dry-run --confirm --reason
--metrics-file --audit-log --mark-applied --backup --no-backup --backup-dir
--keep --max-age --password-stdin'
# flags that take a value (without dashes), between spaces
_gander_value_flags=' dir table env timeout certfile ssl-cert ssl-key '\
'lock-timeout statement-timeout direction dialect profile environment config '\
'confirm reason metrics-file audit-log backup backup-dir keep max-age '

# Print the version of every migration file in directory $1, one a line,
# without leading zeros, as `gander status` and `gander version` show them.
_gander_versions ()
{
  local dir=${1:-.} f base v
  for f in "$dir"/*.sql; do
    [[ -f $f ]] || continue
    base=${f##*/}
    v=${base%%_*}
    [[ $v == "$base" || ! $v =~ ^[0-9]+$ ]] && continue
    while [[ $v == 0?* ]]; do v=${v#0}; done
    printf '%s\n' "$v"
  done
}

# Print the NAMEs of the [$1 NAME] groups of the configuration files Gander
# reads (system, conf.d, the user's, then --config FILE given as $2).
_gander_config_groups ()
{
  local kind=$1 extra=$2 f line
  local -a files=(/etc/gander/gander.conf /etc/gander/conf.d/*.conf
                  "${XDG_CONFIG_HOME:-$HOME/.config}/gander/gander.conf")
  [[ -n ${GANDER_CONFIG:-} ]] && files+=("$GANDER_CONFIG")
  [[ -n $extra ]] && files+=("$extra")
  for f in "${files[@]}"; do
    [[ -r $f && -f $f ]] || continue
    while IFS= read -r line; do
      line=${line%"${line##*[![:space:]]}"}
      if [[ $line =~ ^\[$kind[[:space:]]+([^]]+)\]$ ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
      fi
    done < "$f"
  done
}

_gander ()
{
  local -a words=() pos=()
  local i w cword=0 cur prev_flag='' eq='' prefix=''
  local dir=${GOOSE_MIGRATION_DIR:-.} config='' profile='' flag value

  # Undo the split at '=' that COMP_WORDBREAKS makes of -flag=value.
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == '=' && ${#words[@]} -gt 0 && ${words[-1]} == -* && ${words[-1]} != *=* ]]; then
      words[-1]+='='
      [[ $i == "$COMP_CWORD" ]] && eq=1
      continue
    fi
    if [[ ${#words[@]} -gt 0 && ${words[-1]} == -*= && $i -gt 0 && ${COMP_WORDS[i-1]} == '=' ]]; then
      words[-1]+=$w
      [[ $i == "$COMP_CWORD" ]] && eq=1
      continue
    fi
    words+=("$w")
  done
  cword=$((${#words[@]} - 1))
  cur=${words[cword]}

  # Walk the words before the cursor: flags (and their values) apart,
  # positional words in pos.
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if [[ -n $prev_flag ]]; then
      flag=$prev_flag value=$w prev_flag=''
    elif [[ $w == -?* ]]; then
      flag=${w#-}; flag=${flag#-}
      if [[ $flag == *=* ]]; then
        value=${flag#*=} flag=${flag%%=*}
      elif [[ $_gander_value_flags == *" $flag "* ]]; then
        prev_flag=$flag
        continue
      else
        continue
      fi
    else
      pos+=("$w")
      continue
    fi
    case $flag in
      dir) dir=$value ;;
      config) config=$value ;;
      profile) profile=$value ;;
    esac
  done
  # ~ in a -dir or --config value, as the shell would have expanded it
  [[ $dir == '~' || $dir == '~/'* ]] && dir=$HOME${dir#\~}
  [[ $config == '~' || $config == '~/'* ]] && config=$HOME${config#\~}

  # The value of a flag: after `-flag ` or inside `-flag=`.
  if [[ -n $prev_flag ]]; then
    flag=$prev_flag value=$cur
  elif [[ $cur == -?*=* ]]; then
    flag=${cur#-}; flag=${flag#-}; value=${flag#*=}; flag=${flag%%=*}
    # bash replaces only the text after '=' when '=' breaks words
    [[ -z $eq ]] && prefix=${cur%%=*}= || prefix=''
  else
    flag=''
  fi
  if [[ -n $flag ]]; then
    COMPREPLY=()
    case $flag in
      dir|backup-dir)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$value") ;;
      env)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -W none -- "$value"; compgen -f -- "$value") ;;
      config|metrics-file|audit-log|certfile|ssl-cert|ssl-key)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$value") ;;
      direction)
        mapfile -t COMPREPLY < <(compgen -W 'up down' -- "$value") ;;
      dialect)
        mapfile -t COMPREPLY < <(compgen -W 'postgres sqlite3' -- "$value") ;;
      backup)
        mapfile -t COMPREPLY < <(compgen -W 'off optional required' -- "$value") ;;
      max-age)
        mapfile -t COMPREPLY < <(compgen -W '24h 168h 720h 2160h' -- "$value") ;;
      profile|confirm)
        mapfile -t COMPREPLY < <(compgen -W "$(_gander_config_groups profile "$config")" -- "$value") ;;
      environment)
        mapfile -t COMPREPLY < <(compgen -W "development staging production
$(_gander_config_groups environment "$config")" -- "$value") ;;
      timeout|lock-timeout|statement-timeout)
        mapfile -t COMPREPLY < <(compgen -W '10s 30s 1m 5m 15m 1h' -- "$value") ;;
    esac
    if [[ -n $prefix ]]; then
      COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
    fi
    return 0
  fi

  if [[ $cur == -* ]]; then
    if [[ $cur == --* ]]; then
      # every flag may be written with two dashes
      mapfile -t COMPREPLY < <(compgen -W "$(printf -- '-%s ' $_gander_goose_flags) $_gander_own_flags" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "$_gander_goose_flags $_gander_own_flags" -- "$cur")
    fi
    return 0
  fi

  # Positional words: [DRIVER DBSTRING] COMMAND [ARGS]
  local -a args
  local cmd=''
  case ${pos[0]:-} in
    sqlite3|sqlite|postgres|pgx)
      if [[ ${#pos[@]} == 1 ]]; then
        # DBSTRING: a file for SQLite; nothing to guess for PostgreSQL
        if [[ ${pos[0]} == sqlite* ]]; then
          compopt -o filenames 2>/dev/null
          mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        else
          COMPREPLY=()
        fi
        return 0
      fi
      cmd=${pos[2]:-}
      args=("${pos[@]:3}")
      [[ ${#pos[@]} == 2 ]] && cmd=''
      ;;
    '')
      # no driver in front of the command with --profile or GOOSE_DRIVER
      if [[ -n $profile || -n ${GOOSE_DRIVER:-} ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$_gander_commands" -- "$cur")
      else
        mapfile -t COMPREPLY < <(compgen -W "$_gander_drivers $_gander_commands" -- "$cur")
      fi
      return 0
      ;;
    *)
      cmd=${pos[0]}
      args=("${pos[@]:1}")
      ;;
  esac

  if [[ -z $cmd ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_gander_commands" -- "$cur")
    return 0
  fi

  COMPREPLY=()
  case $cmd:${#args[@]} in
    up-to:0|baseline:0)
      mapfile -t COMPREPLY < <(compgen -W "$(_gander_versions "$dir")" -- "$cur") ;;
    down-to:0)
      mapfile -t COMPREPLY < <(compgen -W "0 $(_gander_versions "$dir")" -- "$cur") ;;
    create:1)
      mapfile -t COMPREPLY < <(compgen -W sql -- "$cur") ;;
    parse:0)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -X '!*.sql' -- "$cur"; compgen -d -- "$cur") ;;
    lint:*)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -X '!*.sql' -- "$cur"; compgen -d -- "$cur") ;;
    repair:0)
      mapfile -t COMPREPLY < <(compgen -W 'clear-dirty accept-checksum' -- "$cur") ;;
    repair:1)
      mapfile -t COMPREPLY < <(compgen -W "$(_gander_versions "$dir")" -- "$cur") ;;
    breaker:0)
      mapfile -t COMPREPLY < <(compgen -W 'status reset' -- "$cur") ;;
    credentials:0)
      mapfile -t COMPREPLY < <(compgen -W 'set clear' -- "$cur") ;;
    credentials:1)
      mapfile -t COMPREPLY < <(compgen -W "$(_gander_config_groups profile "$config")" -- "$cur") ;;
    backups:0)
      mapfile -t COMPREPLY < <(compgen -W prune -- "$cur") ;;
    restore:0)
      mapfile -t COMPREPLY < <(compgen -W latest -- "$cur") ;;
    audit:0)
      mapfile -t COMPREPLY < <(compgen -W verify -- "$cur") ;;
    audit:1)
      [[ ${args[0]} == verify ]] || return 0
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
  esac
  return 0
}

complete -F _gander gander
