<?php
// Runs MiniCRM's official PHP client (v3.3, minicrm-api.phar) against a
// sandbox. The phar is not part of this repository: its path comes from
// MINICRM_PHP_CLIENT. The Go test sandbox/phpclient_test.go starts the
// sandbox (HTTPS on loopback) and runs this script with
//   MINICRM_PHP_CLIENT  path of minicrm-api.phar
//   SANDBOX_HOST        host:port of the sandbox
//   SANDBOX_SYSTEM_ID   the SystemId
//   SANDBOX_API_KEY     the 32-character API key
// The client is used unmodified; only the host of its API URL is swapped
// (the client hard-codes r3.minicrm.hu, so the private ApiUrl is replaced
// through reflection, keeping https:// and the credentials in the URL).
//
// Output: one line per call, "PASS <name>" or "FAIL <name>: <why>", then
// "DONE". A PHP error stops the script before DONE, which the Go test sees.

error_reporting(E_ALL);
ini_set('display_errors', 'stderr');

$phar = getenv('MINICRM_PHP_CLIENT');
$host = getenv('SANDBOX_HOST');
$systemId = getenv('SANDBOX_SYSTEM_ID');
$apiKey = getenv('SANDBOX_API_KEY');
if (!$phar || !$host || !$systemId || !$apiKey) {
	fwrite(STDERR, "driver.php: set MINICRM_PHP_CLIENT, SANDBOX_HOST, SANDBOX_SYSTEM_ID and SANDBOX_API_KEY\n");
	exit(2);
}
require_once "phar://" . $phar . "/MC_Index.php";

// The client retries any non-200 answer up to 4 more times, with a warning
// each time; count them instead of printing them.
$retryWarnings = 0;
set_error_handler(function ($no, $str) use (&$retryWarnings) {
	if ($no === E_USER_WARNING && strpos($str, 'connection failed to MiniCRM API server') !== false) {
		$retryWarnings++;
		return true;
	}
	return false;
});

$c = new MiniCRM_Connection($systemId, $apiKey, 'PROD');
$c->SetLogging(0);
$url = new ReflectionProperty('MiniCRM_Connection', 'ApiUrl');
$url->setAccessible(true);
$url->setValue($c, "https://{$systemId}:{$apiKey}@{$host}/Api/R3/");

function check($name, $fn) {
	global $retryWarnings;
	$retryWarnings = 0;
	try {
		$why = $fn();
	} catch (Throwable $e) {
		$why = get_class($e) . ': ' . $e->getMessage();
	}
	if ($why === true || $why === null) {
		echo "PASS {$name}\n";
	} else {
		echo "FAIL {$name}: " . str_replace("\n", ' ', (string)$why) . "\n";
	}
}

function expect($cond, $what) {
	if (!$cond) throw new Exception($what);
}

// Results of a list, an object keyed by id or an array, as PHP decodes it.
function ids($list) {
	$out = array();
	foreach ($list['Results'] as $k => $v) {
		$out[] = is_array($v) && isset($v['Id']) ? (int)$v['Id'] : (int)$k;
	}
	return $out;
}

$s = array(); // ids made along the way

// --- Contact ---
check('Contact::GetSchema Person', function () use ($c) {
	$sch = MiniCRM_Contact::GetSchema($c, 'Person');
	expect(isset($sch['FirstName']) && isset($sch['CreatedBy']), 'schema lacks FirstName/CreatedBy: ' . json_encode($sch));
});
check('Contact::GetSchema Business', function () use ($c) {
	$sch = MiniCRM_Contact::GetSchema($c, 'Business');
	expect(isset($sch['Name']), 'schema lacks Name');
});
check('Contact create Business', function () use ($c, &$s) {
	$b = new MiniCRM_Contact($c, 0, 'Business');
	$b->Name = 'PHP Kliens Kft.';
	$b->Email = 'info@phpkliens.example';
	$s['business'] = $b->Save();
	expect($s['business'] > 0, 'no Id');
});
check('Contact create Person', function () use ($c, &$s) {
	$p = new MiniCRM_Contact($c, 0, 'Person');
	$p->FirstName = 'Péter';
	$p->LastName = 'Próba';
	$p->Email = 'peter@phpkliens.example';
	$p->BusinessId = $s['business'];
	$s['person'] = $p->Save();
	expect($s['person'] > 0, 'no Id');
});
check('Contact load and update', function () use ($c, &$s) {
	$p = new MiniCRM_Contact($c, $s['person']);
	expect($p->FirstName === 'Péter', 'FirstName ' . var_export($p->FirstName, true));
	$p->Position = 'Tesztelő';
	expect($p->Save() == $s['person'], 'Save answered another Id');
	$again = new MiniCRM_Contact($c, $s['person']);
	expect($again->Position === 'Tesztelő', 'Position ' . var_export($again->Position, true));
});
check('Contact::Search', function () use ($c, &$s) {
	$r = MiniCRM_Contact::Search($c, 'Próba');
	expect(in_array($s['person'], ids($r)), 'person not found: ' . json_encode($r));
});
check('Contact::FieldSearch', function () use ($c, &$s) {
	$r = MiniCRM_Contact::FieldSearch($c, array('Email' => 'info@phpkliens.example'));
	expect(ids($r) == array($s['business']), json_encode($r));
});

// --- Project ---
check('Project::GetCategories', function () use ($c) {
	$r = MiniCRM_Project::GetCategories($c);
	expect(isset($r[10]), json_encode($r));
	$d = MiniCRM_Project::GetCategories($c, true);
	expect($d[10]['Name'] === $r[10], json_encode($d));
});
check('Project::GetSchema', function () use ($c) {
	$sch = MiniCRM_Project::GetSchema($c, 10);
	expect(isset($sch['StatusId']) && array_key_exists('Invited', $sch), 'schema: ' . json_encode($sch));
});
check('Project create', function () use ($c, &$s) {
	$p = new MiniCRM_Project($c, 0, 10);
	$p->Name = 'PHP kliens próbaadatlap';
	$p->ContactId = $s['person'];
	$p->UserId = 22404;
	$p->StatusId = 2620;
	$s['project'] = $p->Save();
	expect($s['project'] > 0, 'no Id');
});
check('Project load and update', function () use ($c, &$s) {
	$p = new MiniCRM_Project($c, $s['project']);
	expect($p->CategoryId == 10 && $p->ContactId == $s['person'], json_encode(array($p->CategoryId, $p->ContactId)));
	$p->StatusId = 'Tárgyalás';
	$p->CategoryId = 3; // the client drops a changed CategoryId on update
	expect($p->Save() == $s['project'], 'Save answered another Id');
	$again = new MiniCRM_Project($c, $s['project']);
	expect($again->StatusId === 'Tárgyalás' && $again->CategoryId == 10, json_encode(array($again->StatusId, $again->CategoryId)));
});
check('Project::Search', function () use ($c, &$s) {
	$r = MiniCRM_Project::Search($c, 'próbaadatlap');
	expect(ids($r) == array($s['project']), json_encode($r));
});
check('Project::FieldSearch', function () use ($c, &$s) {
	$r = MiniCRM_Project::FieldSearch($c, array('CategoryId' => 10, 'ContactId' => $s['person']));
	expect(ids($r) == array($s['project']), json_encode($r));
});

// --- ToDo ---
check('ToDo create', function () use ($c, &$s) {
	$t = new MiniCRM_ToDo($c);
	$t->ProjectId = $s['project'];
	$t->Comment = 'Visszahívni';
	$t->Deadline = '2026-12-24 10:00:00';
	$t->UserId = 53986;
	$s['todo'] = $t->Save();
	expect($s['todo'] > 0, 'no Id');
});
check('ToDo load and update', function () use ($c, &$s) {
	$t = new MiniCRM_ToDo($c, $s['todo']);
	expect($t->ProjectId == $s['project'] && $t->Status === 'Open', json_encode(array($t->ProjectId, $t->Status)));
	$t->Comment = 'Visszahívni délelőtt';
	$t->ProjectId = 2001; // the client drops a changed ProjectId on update
	expect($t->Save() == $s['todo'], 'Save answered another Id');
});
check('ToDo::ToDoList', function () use ($c, &$s) {
	$r = MiniCRM_ToDo::ToDoList($c, $s['project']);
	expect($r['Count'] == 1 && $r['Results'][0]['Id'] == $s['todo'] && $r['Results'][0]['Comment'] === 'Visszahívni délelőtt', json_encode($r));
	$open = MiniCRM_ToDo::ToDoList($c, $s['project'], 'Open');
	expect($open['Count'] == 1, json_encode($open));
});
check('ToDo close', function () use ($c, &$s) {
	$t = new MiniCRM_ToDo($c, $s['todo']);
	$t->Status = 'Closed';
	$t->Save();
	$closed = MiniCRM_ToDo::ToDoList($c, $s['project'], 'Closed');
	expect(ids($closed) == array($s['todo']), json_encode($closed));
});

// --- Address ---
check('Address create', function () use ($c, &$s) {
	$a = new MiniCRM_Address($c);
	$a->ContactId = $s['business'];
	$a->Type = 'Székhely';
	$a->Name = 'Központ';
	$a->CountryId = 'Magyarország';
	$a->PostalCode = '6720';
	$a->City = 'Szeged';
	$a->Address = 'Kárász u. 1.';
	$s['address'] = $a->Save();
	expect($s['address'] > 0, 'no Id');
});
check('Address load and update', function () use ($c, &$s) {
	$a = new MiniCRM_Address($c, $s['address']);
	expect($a->ContactId == $s['business'] && $a->Default == 1 && $a->CountryId === 'Hungary', json_encode(array($a->ContactId, $a->Default, $a->CountryId)));
	$a->PostalCode = '6722';
	$a->ContactId = 7506; // the client drops a changed ContactId on update
	expect($a->Save() == $s['address'], 'Save answered another Id');
	$again = new MiniCRM_Address($c, $s['address']);
	expect($again->PostalCode === '6722' && $again->ContactId == $s['business'], json_encode(array($again->PostalCode, $again->ContactId)));
});
check('Address::AddressList', function () use ($c, &$s) {
	$r = MiniCRM_Address::AddressList($c, $s['business']);
	expect($r['Count'] == 1 && $r['Results'][$s['address']] === 'Központ (6722 Szeged, Kárász u. 1., Hungary)', json_encode($r));
});
check('Address ContactId change refused (plain-text 400)', function () use ($c, &$s) {
	global $retryWarnings;
	try {
		$c->Request("Address/{$s['address']}", array('ContactId' => 7506), 'PUT');
	} catch (Exception $e) {
		expect(strpos($e->getMessage(), 'Code: 400 - Message: Address (PUT): A(z) ContactId mező nem módosítható.') !== false, $e->getMessage());
		expect($retryWarnings == 4, "{$retryWarnings} retries, the client makes 4");
		return true;
	}
	return 'no error';
});

// --- Template ---
check('Template::TemplateList', function () use ($c) {
	$r = MiniCRM_Template::TemplateList($c, 10);
	expect($r['Count'] == 2 && $r['Results'][1]['Type'] === 'Todo', json_encode($r));
	$since = MiniCRM_Template::TemplateList($c, 10, '2019-01-01');
	expect($since['Count'] == 1, json_encode($since));
});
check('Template load', function () use ($c) {
	$t = new MiniCRM_Template($c, 8114);
	expect($t->Name === 'Értékesítés: visszahívás' && $t->Type === 'To do', json_encode(array($t->Name, $t->Type)));
});

// --- Email ---
check('Email::EmailList', function () use ($c) {
	$r = MiniCRM_Email::EmailList($c, 2056);
	expect($r['Count'] == 2 && $r['Results'][8201]['Subject'] === 'Ajánlatunk', json_encode($r));
	$since = MiniCRM_Email::EmailList($c, 2056, '2018-02-15');
	expect($since['Count'] == 2, json_encode($since));
});

echo "IDS " . json_encode($s) . "\n";
echo "DONE\n";
